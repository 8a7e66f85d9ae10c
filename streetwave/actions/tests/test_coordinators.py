"""Coordinators see counts per hub and per action of their campaign, never people, and what
waits for their approval."""

import re

import pytest

from streetwave.actions import services
from streetwave.actions.models import Action
from streetwave.hubs.queries import pending_items_for

pytestmark = pytest.mark.django_db


def count_cell(number: str, html: str) -> bool:
    """A table cell holding `number` (on a phone the cell also names its column)."""
    return re.search(rf'<td class="num"[^>]*>{number}</td>', html) is not None


def test_the_counts_page_shows_numbers_per_hub_and_action_and_no_person(
    client, login, team, make_action, make_campaign, make_coordinator, make_hub, make_city, rsvp
):
    # Given a campaign with actions of two hubs and RSVPs with canary names and addresses
    campaign = make_campaign()
    action = make_action(hub=team.hub, campaign=campaign, title="Berlin rally")
    for n in range(3):
        rsvp(action, pseudonym=f"Canary person {n}", email=f"canary{n}@example.org")
    paris = make_hub("Paris hub", city=make_city("Paris", country="FR", lat=48.85, lon=2.35))
    make_action(hub=paris, campaign=campaign, title="Paris march")
    make_action(hub=paris, campaign=campaign, title="Secret draft", status=Action.Status.DRAFT)
    login(client, make_coordinator(campaign))
    # When the coordinator opens the counts
    response = client.get(f"/en/manage/campaigns/{campaign.slug}/counts/")
    # Then they see hubs, actions and numbers, and nothing about any person
    html = response.content.decode()
    assert response.status_code == 200
    assert "Berlin hub" in html and "Paris hub" in html
    assert "Berlin rally" in html and "Paris march" in html
    assert "Secret draft" not in html
    assert count_cell("3", html)
    assert "Canary" not in html and "canary" not in html and "@example.org" not in html


def test_counts_are_for_the_campaigns_coordinators_only(
    client, login, team, make_campaign, make_coordinator
):
    campaign = make_campaign()
    url = f"/en/manage/campaigns/{campaign.slug}/counts/"
    for user in (team.lead, make_coordinator(make_campaign("other"))):
        login(client, user)
        assert client.get(url).status_code == 404


def test_the_coordinator_dashboard_lists_actions_waiting_for_approval(
    team, make_action, make_campaign, make_coordinator
):
    campaign = make_campaign()
    action = make_action(hub=team.hub, campaign=campaign, status=Action.Status.DRAFT)
    services.publish_action(action, actor=team.organizer)
    coordinator = make_coordinator(campaign)
    items = [item for item in pending_items_for(coordinator) if "asks to publish" in item.text]
    assert len(items) == 1
    assert items[0].url.endswith(f"/approvals/#action-{action.public_id}")
    # Neither the hub's organizers nor a coordinator of another campaign are asked
    assert not any("asks to publish" in i.text for i in pending_items_for(team.lead))
    other = make_coordinator(make_campaign("other"))
    assert not any("asks to publish" in i.text for i in pending_items_for(other))


def test_a_held_change_is_on_the_dashboard_of_the_other_organizers_only(team, make_action):
    import datetime as dt

    action = make_action(hub=team.hub, starts_in=dt.timedelta(hours=20))
    services.update_action(
        action,
        services.ActionDetails.of(action, place="Potsdamer Platz"),
        actor=team.organizer,
    )

    def asked(user):
        return any("waits for your confirmation" in i.text for i in pending_items_for(user))

    assert asked(team.lead)
    assert not asked(team.organizer)
    assert not asked(team.safety_lead) and not asked(team.member)


def test_pending_sources_take_a_fixed_number_of_queries(
    team, make_action, make_campaign, make_coordinator, django_assert_max_num_queries
):
    from streetwave.actions import queries

    campaign = make_campaign()
    coordinator = make_coordinator(campaign)
    for n in range(5):
        action = make_action(
            hub=team.hub, campaign=campaign, status=Action.Status.DRAFT, title=f"a{n}"
        )
        services.publish_action(action, actor=team.organizer)
        services.request_attendee_export(action, actor=team.organizer)
    for source in (
        queries.actions_to_approve,
        queries.changes_to_confirm,
        queries.exports_to_approve,
        queries.exports_ready,
        queries.messages_to_approve,
    ):
        for user in (coordinator, team.lead):
            with django_assert_max_num_queries(1):
                source(user)
