"""Organizer pages of one action: one sub-navigation, duplicating an action, and the preview of a
draft's public page."""

import datetime as dt

import pytest
from django.utils import timezone

from streetwave.actions.models import RSVP, Action, ActionChange
from streetwave.actions.services.copies import duplicate_action
from streetwave.audit.models import AuditEntry
from streetwave.core.errors import NotAllowed
from streetwave.hubs.models import Membership

pytestmark = pytest.mark.django_db


def test_duplicating_makes_a_fresh_draft_and_opens_its_form(
    client, login, team, make_action, move_action, rsvp
):
    # Given a published action with RSVPs and an applied change of place
    action = make_action(hub=team.hub, capacity=40, meeting_point="Behind the fountain")
    rsvp(action, pseudonym="Shirin")
    move_action(action, "Somewhere")
    # When an organizer duplicates it from its page
    login(client, team.organizer)
    response = client.post(f"/en/manage/actions/{action.public_id}/duplicate/")
    # Then a new draft exists, with the texts and place and none of the people or history
    copy = Action.objects.exclude(pk=action.pk).get()
    assert response.status_code == 302
    assert response["Location"] == f"/en/manage/actions/{copy.public_id}/edit/"
    assert copy.status == Action.Status.DRAFT and copy.hub == action.hub
    assert (copy.title, copy.place, copy.capacity, copy.meeting_point) == (
        action.title,
        action.place,
        40,
        "Behind the fountain",
    )
    assert (copy.going_count, copy.waitlisted_count, copy.cancelled_count) == (0, 0, 0)
    assert not RSVP.objects.filter(action=copy).exists()
    assert not ActionChange.objects.filter(action=copy).exists()
    assert copy.changed_at is None and copy.requested_by is None
    assert AuditEntry.objects.filter(verb="action.duplicated", actor=team.organizer).exists()
    # and the form opens on the copy, saying it is one
    page = client.get(response["Location"]).content.decode()
    assert "This is a copy of the action" in page


def test_a_copy_of_a_past_action_lands_on_the_same_weekday_and_local_time_ahead(team, make_action):
    # Given last month's vigil
    past = make_action(hub=team.hub, starts_in=-dt.timedelta(days=30, hours=3))
    # When it is duplicated
    copy = duplicate_action(past, actor=team.lead)
    # Then the copy is in the future, whole weeks later, at the same wall-clock time and length
    assert copy.starts_at > timezone.now()
    assert copy.local_start.weekday() == past.local_start.weekday()
    assert copy.local_start.time() == past.local_start.time()
    assert copy.ends_at - copy.starts_at == past.ends_at - past.starts_at


def test_a_copy_of_an_action_still_ahead_keeps_its_time_and_campaign(
    team, make_action, make_campaign
):
    # Given an action of the campaign's day, two days ahead (the campaign runs a week)
    campaign = make_campaign()
    action = make_action(hub=team.hub, campaign=campaign)
    # When it is duplicated, to hold a second action that day
    copy = duplicate_action(action, actor=team.lead)
    # Then the copy is a draft of that campaign, at the same time
    assert (copy.campaign, copy.starts_at, copy.ends_at) == (
        campaign,
        action.starts_at,
        action.ends_at,
    )


def test_a_copy_that_falls_outside_the_campaign_window_leaves_the_campaign(
    team, make_action, make_campaign
):
    # Given yesterday's action of a live campaign that ends tomorrow
    campaign = make_campaign()
    campaign.ends_at = timezone.now() + dt.timedelta(days=1)
    campaign.save()
    action = make_action(hub=team.hub, campaign=campaign, starts_in=-dt.timedelta(days=1))
    # When it is duplicated: the copy lands a week later, past the campaign's end
    copy = duplicate_action(action, actor=team.lead)
    # Then the copy is a valid draft without the campaign, whose window it would break
    assert copy.starts_at == action.starts_at + dt.timedelta(weeks=1)
    assert copy.campaign is None


def test_only_the_hubs_organizers_may_duplicate(team, make_action):
    action = make_action(hub=team.hub)
    with pytest.raises(NotAllowed):
        duplicate_action(action, actor=team.safety_lead)
    assert Action.objects.count() == 1


def test_a_draft_has_a_preview_marked_as_not_public_without_rsvp_form(
    client, login, team, make_action
):
    # Given a draft
    draft = make_action(hub=team.hub, status=Action.Status.DRAFT, title="Candles at dusk")
    # When an organizer of its hub previews it
    login(client, team.organizer)
    response = client.get(f"/en/manage/actions/{draft.public_id}/preview/")
    page = response.content.decode()
    # Then they see the public page's content, clearly marked, never indexed, with no RSVP form
    assert response.status_code == 200
    assert "Candles at dusk" in page and "Preview: not public" in page
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert f"/en/a/{draft.public_id}/rsvp/" not in page
    assert 'href="geo:' in page and f'href="http://testserver/en/a/{draft.public_id}/"' in page
    # while the public address of the draft is still a 404
    assert client.get(f"/en/a/{draft.public_id}/").status_code == 404


@pytest.mark.parametrize("who", ["safety_lead", "member", "other_lead", "anonymous"])
def test_nobody_else_sees_the_preview(client, login, team, make_action, make_hub, make_member, who):
    draft = make_action(hub=team.hub, status=Action.Status.DRAFT)
    if who == "other_lead":
        login(client, make_member(make_hub("Hamburg hub"), Membership.Role.LEAD))
    elif who != "anonymous":
        login(client, getattr(team, who))
    response = client.get(f"/en/manage/actions/{draft.public_id}/preview/")
    assert response.status_code == (302 if who == "anonymous" else 404)


def test_every_page_of_an_action_has_the_same_sub_navigation(client, login, team, make_action):
    action = make_action(hub=team.hub)
    login(client, team.lead)
    pages = {
        "overview": f"/en/manage/actions/{action.public_id}/",
        "edit": f"/en/manage/actions/{action.public_id}/edit/",
        "attendees": f"/en/manage/actions/{action.public_id}/attendees/",
        "messages": f"/en/manage/actions/{action.public_id}/messages/",
        "emergency": f"/en/manage/actions/{action.public_id}/emergency/",
    }
    for current, path in pages.items():
        page = client.get(path).content.decode()
        # every page links to every other one, and marks itself as the current one
        for other in pages.values():
            assert f'href="{other}"' in page, (current, other)
        assert f'href="{path}" aria-current="page"' in page, current
        assert f'href="/en/manage/actions/{action.public_id}/attendees/#exports"' in page
        assert f'href="/en/manage/hubs/{team.hub.public_id}/"' in page


def test_the_sub_navigation_offers_only_what_the_role_may_open(client, login, team, make_action):
    action = make_action(hub=team.hub)
    login(client, team.safety_lead)
    page = client.get(f"/en/manage/actions/{action.public_id}/attendees/").content.decode()
    assert f"/en/manage/actions/{action.public_id}/messages/" in page
    assert f"/en/manage/actions/{action.public_id}/edit/" not in page


def test_statuses_and_kinds_read_as_words_on_organizer_pages(client, login, team, make_action):
    action = make_action(hub=team.hub, status=Action.Status.DRAFT, kind=Action.Kind.VIGIL)
    login(client, team.lead)
    hub_page = client.get(f"/en/manage/hubs/{team.hub.public_id}/actions/").content.decode()
    overview = client.get(f"/en/manage/actions/{action.public_id}/").content.decode()
    assert f'data-label="Status">{action.get_status_display()}</td>' in hub_page
    assert action.get_kind_display() in overview
    assert ">draft<" not in hub_page and ">vigil<" not in overview
