"""Hubs answer a campaign's call (from their page, or by planning their first action in it), a
coordinator accepts the answer where the campaign asks for that, coordinators found hubs, and
the coordinators' page shows who answered and who has not planned yet."""

import datetime as dt
import importlib

import pytest
from django.apps import apps as installed_apps
from django.core import mail
from django.test import Client
from django.utils import timezone

from streetwave.actions import services as actions
from streetwave.actions.models import Action
from streetwave.audit.models import AuditEntry
from streetwave.campaigns.models import Campaign
from streetwave.core.errors import NotAllowed
from streetwave.hubs import services
from streetwave.hubs.models import Hub, Invitation, Membership, Participation
from streetwave.hubs.permissions import can, holders, where
from streetwave.hubs.queries import answers_to, pending_items_for
from streetwave.hubs.tree import hub_tree_for

from .conftest import token_in_mail

pytestmark = pytest.mark.django_db
Role = Membership.Role


@pytest.fixture
def approval_campaign(make_campaign):
    campaign = make_campaign("accepted-hubs")
    Campaign.objects.filter(pk=campaign.pk).update(hub_policy=Campaign.HubPolicy.APPROVAL)
    campaign.refresh_from_db()
    return campaign


@pytest.fixture
def hub(make_hub):
    return make_hub()


@pytest.fixture
def organizer(hub, make_member):
    return make_member(hub, Role.ORGANIZER)


def _details(campaign, hub):
    starts_at = timezone.now().replace(second=0, microsecond=0) + dt.timedelta(days=2)
    return actions.ActionDetails(
        campaign=campaign,
        kind=Action.Kind.RALLY,
        title="Rally for freedom",
        description="",
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=2),
        place="Alexanderplatz",
        latitude=hub.city.latitude,
        longitude=hub.city.longitude,
        meeting_point="",
        capacity=None,
    )


# answering the call


def test_an_organizer_answers_the_call_of_an_open_campaign(campaign, hub, organizer):
    # when an organizer answers the call of an open campaign
    participation = services.answer_call(hub, campaign=campaign, actor=organizer)
    # then the hub takes part at once, and it is audited in the hub's log
    assert participation.is_accepted
    assert (participation.answered_by, participation.accepted_at) == (
        organizer,
        participation.answered_at,
    )
    entry = AuditEntry.objects.get(verb="hub.answered_call")
    assert entry.hub_id == hub.public_id
    assert entry.data == {"campaign": campaign.public_id, "state": "accepted"}
    # and it cannot answer twice
    with pytest.raises(services.AlreadyAnswered):
        services.answer_call(hub, campaign=campaign, actor=organizer)


@pytest.mark.parametrize("role", [Role.SAFETY_LEAD, Role.MEMBER])
def test_only_leads_and_organizers_answer_the_call(campaign, hub, make_member, role):
    someone = make_member(hub, role)
    with pytest.raises(NotAllowed):
        services.answer_call(hub, campaign=campaign, actor=someone)
    assert not Participation.objects.exists()


def test_only_an_open_campaigns_call_is_answered(make_campaign, hub, organizer):
    for status in (Campaign.Status.DRAFT, Campaign.Status.ENDED):
        closed = make_campaign(f"closed-{status}", status=status)
        with pytest.raises(services.CallNotOpen):
            services.answer_call(hub, campaign=closed, actor=organizer)
    assert not Participation.objects.exists()


def test_a_proposed_hub_cannot_answer(campaign, make_hub, make_member):
    proposed = make_hub("Proposed hub", status=Hub.Status.PROPOSED)
    lead = make_member(proposed, Role.LEAD)
    with pytest.raises(services.HubNotActive):
        services.answer_call(proposed, campaign=campaign, actor=lead)


def test_where_coordinators_accept_hubs_an_answer_waits_for_one(
    approval_campaign, hub, organizer, make_coordinator
):
    # given a campaign whose coordinators accept each hub, and the hub's answer
    participation = services.answer_call(hub, campaign=approval_campaign, actor=organizer)
    assert not participation.is_accepted
    # then the hub plans nothing in the campaign yet
    with pytest.raises(services.AnswerNotAccepted):
        actions.create_action(hub, _details(approval_campaign, hub), actor=organizer)
    # and the coordinators are told on their dashboard
    coordinator = make_coordinator(approval_campaign)
    [item] = [i for i in pending_items_for(coordinator) if "answered the call" in i.text]
    assert item.url == f"/en/manage/campaigns/{approval_campaign.slug}/answers/"
    # when a coordinator accepts it
    services.accept_answer(participation, actor=coordinator)
    # then the hub takes part and plans
    participation.refresh_from_db()
    assert participation.is_accepted and participation.accepted_by == coordinator
    assert actions.create_action(hub, _details(approval_campaign, hub), actor=organizer)
    assert AuditEntry.objects.filter(verb="hub.answer_accepted", hub_id=hub.public_id).exists()
    # and an answer is accepted once
    with pytest.raises(services.NotWaiting):
        services.accept_answer(participation, actor=coordinator)


def test_only_a_coordinator_of_the_campaign_accepts_an_answer(
    approval_campaign, make_campaign, hub, organizer, make_coordinator, make_user
):
    participation = services.answer_call(hub, campaign=approval_campaign, actor=organizer)
    for someone in (
        organizer,
        make_coordinator(make_campaign("other")),
        make_user(is_operator=True),
    ):
        with pytest.raises(NotAllowed):
            services.accept_answer(participation, actor=someone)
    participation.refresh_from_db()
    assert not participation.is_accepted


def test_planning_an_action_answers_the_call(campaign, hub, organizer):
    # when an organizer plans the hub's first action in an open campaign
    actions.create_action(hub, _details(campaign, hub), actor=organizer)
    # then the hub answered the call, once, whatever it plans next
    actions.create_action(hub, _details(campaign, hub), actor=organizer)
    [participation] = Participation.objects.filter(hub=hub, campaign=campaign)
    assert participation.is_accepted and participation.answered_by == organizer
    # and an action outside any campaign answers nothing
    actions.create_action(hub, _details(None, hub), actor=organizer)
    assert Participation.objects.count() == 1


def test_where_coordinators_accept_hubs_planning_first_needs_an_answer(
    approval_campaign, hub, organizer
):
    with pytest.raises(services.CallNotAnswered):
        actions.create_action(hub, _details(approval_campaign, hub), actor=organizer)
    assert not Action.objects.exists() and not Participation.objects.exists()


def test_moving_a_draft_into_a_campaign_needs_an_accepted_answer(approval_campaign, hub, organizer):
    draft = actions.create_action(hub, _details(None, hub), actor=organizer)
    with pytest.raises(services.CallNotAnswered):
        actions.update_action(draft, _details(approval_campaign, hub), actor=organizer)
    draft.refresh_from_db()
    assert draft.campaign is None


# what the answer grants: one definition of "the campaign's hubs"


def test_a_coordinator_oversees_every_hub_that_answered_and_no_other(
    campaign, make_hub, make_member, make_coordinator
):
    # given a hub that answered with no action yet, and a hub that did not answer
    answered, silent = make_hub("Answered hub"), make_hub("Silent hub")
    services.answer_call(answered, campaign=campaign, actor=make_member(answered, Role.LEAD))
    coordinator = make_coordinator(campaign)
    # then the coordinator oversees the first only, in can, where and holders alike
    assert can(coordinator, "can_view_counts", answered)
    assert not can(coordinator, "can_view_counts", silent)
    assert set(where(coordinator, "can_view_counts").hubs()) == {answered}
    assert coordinator in holders("can_view_counts", answered)
    assert coordinator not in holders("can_view_counts", silent)


# founding hubs


def found_lyon_hub(campaign, city, *, actor, languages=("fr",)):
    """`actor` founds "Lyon hub" in `city` for `campaign`, inviting lead@example.org (in French)
    to lead it."""
    return services.create_founding_hub(
        campaign,
        name="Lyon hub",
        city=city,
        languages=list(languages),
        lead_email="lead@example.org",
        lead_language="fr",
        actor=actor,
    )


def test_a_coordinator_founds_a_hub_and_invites_its_first_lead(
    campaign, make_coordinator, make_city, django_capture_on_commit_callbacks
):
    # given a coordinator of the campaign
    coordinator = make_coordinator(campaign)
    city = make_city("Lyon", country="FR", timezone="Europe/Paris", lat=45.76, lon=4.84)
    # when they found a hub in a new city
    with django_capture_on_commit_callbacks(execute=True):
        hub = found_lyon_hub(campaign, city, languages=["fr", "fa"], actor=coordinator)
    # then it is active at the root of a tree of its own, and answers the call
    assert (hub.status, hub.sponsor, hub.depth, hub.path) == (
        Hub.Status.ACTIVE,
        None,
        0,
        hub.public_id,
    )
    assert Participation.objects.get(hub=hub, campaign=campaign).is_accepted
    # and its first lead is invited, in their language, through the usual invitation
    invitation = Invitation.objects.get(hub=hub)
    assert (invitation.role, invitation.language) == (Role.LEAD, "fr")
    [message] = mail.outbox
    assert message.to == ["lead@example.org"]
    assert f"/fr/accounts/invitation/{token_in_mail('invitation')}/" in message.body
    entry = AuditEntry.objects.get(verb="hub.founded")
    assert entry.actor == coordinator and entry.data == {"campaign": campaign.public_id}


def test_only_a_coordinator_founds_hubs(campaign, make_city, make_user, make_hub, make_member):
    hub = make_hub()
    for someone in (make_user(is_operator=True), make_member(hub, Role.LEAD)):
        with pytest.raises(NotAllowed):
            found_lyon_hub(campaign, make_city("Lyon"), actor=someone)
    assert Hub.objects.count() == 1


# pages


def test_the_hub_page_offers_the_open_calls_the_hub_has_not_answered(
    client, login, campaign, make_campaign, hub, organizer
):
    make_campaign("draft", status=Campaign.Status.DRAFT)
    login(client, organizer)
    html = client.get(f"/en/manage/hubs/{hub.public_id}/").content.decode()
    assert f"/answer/{campaign.slug}/" in html and "/answer/draft/" not in html

    response = client.post(f"/en/manage/hubs/{hub.public_id}/answer/{campaign.slug}/")

    assert response.status_code == 302
    assert Participation.objects.filter(hub=hub, campaign=campaign).exists()
    html = client.get(f"/en/manage/hubs/{hub.public_id}/").content.decode()
    assert f"/answer/{campaign.slug}/" not in html
    assert "The hub takes part in <bdi>Streets for freedom</bdi>." in html


@pytest.mark.parametrize("role", [Role.SAFETY_LEAD, Role.MEMBER])
def test_answering_is_404_for_those_who_may_not(client, login, campaign, hub, make_member, role):
    login(client, make_member(hub, role))
    html = client.get(f"/en/manage/hubs/{hub.public_id}/").content.decode()
    assert "/answer/" not in html
    assert (
        client.post(f"/en/manage/hubs/{hub.public_id}/answer/{campaign.slug}/").status_code == 404
    )
    assert not Participation.objects.exists()


def test_the_answers_page_shows_who_waits_who_has_not_planned_and_who_plans(
    client, login, approval_campaign, make_hub, make_member, make_coordinator, make_action
):
    # given three hubs: one waiting, one accepted without an action, one planning
    waiting, idle, busy = make_hub("Waiting hub"), make_hub("Idle hub"), make_hub("Busy hub")
    for hub in (waiting, idle):
        services.answer_call(hub, campaign=approval_campaign, actor=make_member(hub, Role.LEAD))
    Participation.objects.filter(hub=idle).update(state=Participation.State.ACCEPTED)
    make_action(hub=busy, campaign=approval_campaign)
    coordinator = make_coordinator(approval_campaign)
    answers = answers_to(approval_campaign)
    assert [row.hub for row in answers.waiting] == [waiting]
    assert [row.hub for row in answers.not_planned] == [idle]
    assert [(row.hub, row.planned) for row in answers.planning] == [(busy, 1)]
    # when the coordinator opens the page and accepts the waiting hub
    login(client, coordinator)
    page = client.get(f"/en/manage/campaigns/{approval_campaign.slug}/answers/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.index("Waiting hub") < html.index("Idle hub") < html.index("Busy hub")
    assert f"/answers/{waiting.public_id}/accept/" in html
    accepted = client.post(
        f"/en/manage/campaigns/{approval_campaign.slug}/answers/{waiting.public_id}/accept/"
    )
    # then it takes part
    assert accepted.status_code == 302
    assert Participation.objects.get(hub=waiting).is_accepted


def test_the_answers_page_is_one_query_for_its_rows(
    approval_campaign, make_hub, make_action, django_assert_num_queries
):
    for n in range(4):
        make_action(hub=make_hub(f"Hub {n}"), campaign=approval_campaign)
    with django_assert_num_queries(1):
        answers = answers_to(approval_campaign)
    assert len(answers.planning) == 4


def test_the_answers_and_founding_pages_are_404_for_other_people(
    login, campaign, hub, organizer, make_member, make_coordinator, make_campaign, make_user
):
    # given a hub's answer to the call
    services.answer_call(hub, campaign=campaign, actor=organizer)
    accept = f"/en/manage/campaigns/{campaign.slug}/answers/{hub.public_id}/accept/"
    # a lead of the hub, a coordinator of another campaign and an operator (who runs the
    # instance, but does not watch over the campaign's hubs) get 404 on every page
    for someone in (
        make_member(hub, Role.LEAD),
        make_coordinator(make_campaign("other")),
        make_user(is_operator=True),
    ):
        client = Client()
        login(client, someone)
        assert client.get(f"/en/manage/campaigns/{campaign.slug}/answers/").status_code == 404
        assert client.get(f"/en/manage/campaigns/{campaign.slug}/hubs/new/").status_code == 404
        assert client.post(f"/en/manage/campaigns/{campaign.slug}/hubs/new/").status_code == 404
        assert client.post(accept).status_code == 404


def test_the_founding_page_founds_a_hub_with_the_place_picker(
    client, login, campaign, make_coordinator, make_city, django_capture_on_commit_callbacks
):
    make_city("Lyon", country="FR", timezone="Europe/Paris", lat=45.76, lon=4.84)
    login(client, make_coordinator(campaign))
    path = f"/en/manage/campaigns/{campaign.slug}/hubs/new/"
    page = client.get(path)
    assert page.status_code == 200 and "data-place-picker" in page.content.decode()
    form = {
        "name": "Lyon hub",
        "city_name": "Lyon",
        "city": "",
        "latitude": "",
        "longitude": "",
        "languages": ["fr", "fa"],
        "lead_email": "lead@example.org",
        "lead_language": "fr",
    }
    # an unknown city and a missing address come back with the form
    refused = client.post(path, {**form, "city_name": "Nowhereville", "lead_email": ""})
    assert refused.status_code == 400
    assert set(refused.context["form"].errors) == {"city_name", "lead_email"}
    # a known one founds the hub
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path, form)
    assert response.status_code == 302
    hub = Hub.objects.get(name="Lyon hub")
    assert hub.city.name == "Lyon" and hub.sponsor is None
    assert Invitation.objects.filter(hub=hub, role=Role.LEAD).exists()


def test_the_founding_page_takes_the_city_nearest_to_the_pin(
    client, login, campaign, make_coordinator, make_city
):
    lyon = make_city("Lyon", country="FR", timezone="Europe/Paris", lat=45.76, lon=4.84)
    login(client, make_coordinator(campaign))
    response = client.post(
        f"/en/manage/campaigns/{campaign.slug}/hubs/new/",
        {
            "name": "Lyon hub",
            "city_name": "",
            "latitude": "۴۵٫۷۷",
            "longitude": "4.85",
            "languages": ["fr"],
            "lead_email": "lead@example.org",
            "lead_language": "fr",
        },
    )
    assert response.status_code == 302
    assert Hub.objects.get(name="Lyon hub").city == lyon


def test_the_founding_page_asks_for_a_city_when_given_neither_name_nor_pin(
    client, login, campaign, make_coordinator
):
    login(client, make_coordinator(campaign))
    # when the form comes without a city name and without a point (no JavaScript, no map)
    response = client.post(
        f"/en/manage/campaigns/{campaign.slug}/hubs/new/",
        {
            "name": "Lyon hub",
            "city_name": "",
            "latitude": "",
            "longitude": "",
            "languages": ["fr"],
            "lead_email": "lead@example.org",
            "lead_language": "fr",
        },
    )
    # then it comes back asking for the city's name, and no hub is founded
    assert response.status_code == 400
    assert response.context["form"].errors["city_name"] == ["Type the name of the hub's city."]
    assert not Hub.objects.filter(name="Lyon hub").exists()


def test_the_founding_page_place_picker_speaks_of_the_city_not_of_an_action(
    client, login, campaign, make_coordinator
):
    login(client, make_coordinator(campaign))
    # when a coordinator opens the page that founds a hub
    html = client.get(f"/en/manage/campaigns/{campaign.slug}/hubs/new/").content.decode()
    # then its place picker says that the pin only finds the city, and nothing of an action
    assert "The pin only finds the city; it is not kept." in html
    assert "action gathers" not in html and "place of the action" not in html


# the data migration


def test_the_migration_answers_for_every_hub_with_an_action_in_a_campaign(
    campaign, make_campaign, make_hub, make_action
):
    # given hubs with actions (two in one campaign, one in another, one outside any campaign)
    # and no answers, as before answers existed
    berlin, paris = make_hub("Berlin hub"), make_hub("Paris hub")
    other = make_campaign("other")
    first = make_action(hub=berlin, campaign=campaign)
    make_action(hub=berlin, campaign=campaign)
    make_action(hub=paris, campaign=other)
    make_action(hub=paris)
    Participation.objects.all().delete()
    migration = importlib.import_module(
        "streetwave.hubs.migrations.0006_hubs_with_actions_answered_the_call"
    )
    # when the data migration runs
    migration.answer_for_hubs_with_actions(installed_apps, None)
    # then each hub answered each campaign it has an action in, accepted, when it first planned
    rows = {(p.hub, p.campaign): p for p in Participation.objects.all()}
    assert set(rows) == {(berlin, campaign), (paris, other)}
    assert all(p.is_accepted for p in rows.values())
    assert rows[berlin, campaign].answered_at == first.created_at
    # and running it again changes nothing; going back removes the answers
    migration.answer_for_hubs_with_actions(installed_apps, None)
    assert Participation.objects.count() == 2
    migration.forget_answers(installed_apps, None)
    assert not Participation.objects.exists()


def test_the_tree_shows_founding_hubs_and_answers_without_actions(
    campaign, make_coordinator, make_city, make_hub, make_member
):
    # given a founding hub, a hub it sponsors that answered without planning, and a silent hub
    founded = found_lyon_hub(campaign, make_city("Lyon"), actor=make_coordinator(campaign))
    child = make_hub("Villeurbanne hub", sponsor=founded)
    services.answer_call(child, campaign=campaign, actor=make_member(child, Role.LEAD))
    make_hub("Silent hub")
    # when the coordinators look at the tree
    tree = hub_tree_for(campaign)
    # then the founding hub is a root that answered, with its answering child under it
    [root] = tree.roots
    assert (root.hub, root.answered, root.actions) == (founded, True, 0)
    assert [(node.hub, node.answered) for node in root.children] == [(child, True)]
    assert tree.levels == [(0, 1), (1, 1)]


def test_the_new_pages_read_right_to_left_in_persian(
    client, login, campaign, make_coordinator, make_user
):
    login(client, make_coordinator(campaign))
    for path in (f"campaigns/{campaign.slug}/answers/", f"campaigns/{campaign.slug}/hubs/new/"):
        html = client.get(f"/fa/manage/{path}").content.decode()
        assert '<html lang="fa" dir="rtl">' in html, path
    login(client, make_user(is_operator=True))
    html = client.get(f"/fa/manage/campaigns/{campaign.slug}/coordinators/").content.decode()
    assert '<html lang="fa" dir="rtl">' in html and "خیابان برای آزادی" in html
