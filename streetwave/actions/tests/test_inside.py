"""Nothing is announced in advance inside a high-risk country (campaigns.risk): creating,
publishing or approving an action there is refused, with the way to file it afterwards, and
nothing announced there is public."""

import datetime as dt

import pytest
from django.utils import timezone

from streetwave.actions import services
from streetwave.actions.models import RSVP, Action
from streetwave.actions.services.actions import AnnouncedInside, FiledAfterTheFact
from streetwave.actions.services.rsvps import NoRSVPInside
from streetwave.campaigns.risk import is_high_risk_city
from streetwave.campaigns.services import set_high_risk_countries
from streetwave.hubs.models import Membership
from streetwave.places.models import Country
from streetwave.safety.models import Incident
from streetwave.safety.services import report_incident
from streetwave.safety.services.incidents import ContactInside

pytestmark = pytest.mark.django_db


@pytest.fixture
def tehran(make_city):
    return make_city("Tehran", country="IR", timezone="Asia/Tehran", lat=35.69, lon=51.39)


@pytest.fixture
def team(make_hub, make_member, tehran):
    hub = make_hub("Tehran hub", city=tehran)
    return hub, make_member(hub, Membership.Role.ORGANIZER)


def _details(campaign, **changes):
    start = timezone.now() + dt.timedelta(days=2)
    fields = {
        "campaign": campaign,
        "kind": Action.Kind.RALLY,
        "title": "Azadi square",
        "description": "",
        "starts_at": start,
        "ends_at": start + dt.timedelta(hours=2),
        "place": "Azadi square",
        "latitude": 35.70,
        "longitude": 51.34,
        "meeting_point": "",
        "capacity": None,
    }
    return services.ActionDetails(**{**fields, **changes})


def _mark(campaign=None, *, actor):
    set_high_risk_countries([Country.objects.get(code="IR")], campaign=campaign, actor=actor)


@pytest.fixture
def operator(make_user):
    return make_user("operator@example.org", is_operator=True)


def test_an_action_inside_cannot_be_created(campaign, team, operator):
    hub, organizer = team
    _mark(actor=operator)
    with pytest.raises(AnnouncedInside) as refused:
        services.create_action(hub, _details(campaign), actor=organizer)
    assert "Report an action that happened" in str(refused.value.message)
    assert not Action.objects.exists()


def test_a_campaigns_own_country_refuses_its_actions_only(
    campaign, make_campaign, team, make_coordinator, make_action
):
    hub, organizer = team
    other = make_campaign("other")
    of_no_campaign = make_action(hub=hub)
    _mark(campaign, actor=make_coordinator(campaign))
    assert of_no_campaign not in Action.objects.public()
    with pytest.raises(AnnouncedInside):
        services.create_action(hub, _details(campaign), actor=organizer)
    assert services.create_action(hub, _details(other), actor=organizer).campaign == other
    # An action of no campaign goes as its hub does: high-risk for any campaign.
    assert is_high_risk_city(hub.city)
    with pytest.raises(AnnouncedInside):
        services.create_action(hub, _details(None), actor=organizer)


def test_a_draft_made_before_the_country_was_marked_cannot_be_published(campaign, team, operator):
    hub, organizer = team
    draft = services.create_action(hub, _details(campaign), actor=organizer)
    _mark(actor=operator)
    with pytest.raises(AnnouncedInside):
        services.publish_action(draft, actor=organizer)
    with pytest.raises(AnnouncedInside):
        services.update_action(draft, _details(campaign, title="Other"), actor=organizer)
    draft.refresh_from_db()
    assert (draft.status, draft.title) == (Action.Status.DRAFT, "Azadi square")


def test_an_announced_action_disappears_once_its_country_is_marked(
    campaign, team, operator, make_action, client
):
    hub, _organizer = team
    action = make_action(hub=hub, campaign=campaign)
    assert list(Action.objects.public()) == [action]
    _mark(actor=operator)
    assert not Action.objects.public().exists()
    assert client.get(f"/en/a/{action.public_id}/").status_code == 404
    with pytest.raises(NoRSVPInside):
        services.create_rsvp(action, pseudonym="Sara", language="fa", consent=True)
    assert not RSVP.objects.exists()


def test_an_action_filed_after_the_fact_cannot_be_edited_or_published(campaign, team, make_action):
    hub, organizer = team
    action = make_action(hub=hub, campaign=campaign, after_the_fact=True)
    with pytest.raises(FiledAfterTheFact):
        services.update_action(action, _details(campaign, title="Other"), actor=organizer)
    Action.objects.filter(pk=action.pk).update(status=Action.Status.DRAFT)
    action.refresh_from_db()
    with pytest.raises(FiledAfterTheFact):
        services.publish_action(action, actor=organizer)


def test_the_new_action_page_says_why_and_keeps_what_was_typed(
    client, login, campaign, team, operator
):
    hub, organizer = team
    _mark(actor=operator)
    login(client, organizer)
    start = timezone.localtime(timezone.now() + dt.timedelta(days=2), hub.city.zone)
    response = client.post(
        f"/en/manage/hubs/{hub.public_id}/actions/new/",
        {
            "title": "Azadi square",
            "kind": "rally",
            "campaign": campaign.slug,
            "start_date": start.date().isoformat(),
            "start_time": "18:00",
            "end_time": "19:00",
            "place": "Azadi square",
            "city_name": "Tehran",
            "latitude": "35.70",
            "longitude": "51.34",
            "reveal_lead": "120",
            "reminder_lead": "120",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "never announced in advance" in page and 'value="Azadi square"' in page
    assert not Action.objects.exists()
    link = f"/en/manage/hubs/{hub.public_id}/actions/happened/"
    assert link in client.get(f"/en/manage/hubs/{hub.public_id}/actions/new/").content.decode()


def test_the_hubs_actions_page_points_to_reporting_what_happened(
    client, login, campaign, team, operator, make_action
):
    hub, organizer = team
    login(client, organizer)
    url = f"/en/manage/hubs/{hub.public_id}/actions/"
    link = f"/en/manage/hubs/{hub.public_id}/actions/happened/"
    assert link not in client.get(url).content.decode()

    _mark(actor=operator)
    start = dt.datetime(2026, 3, 1, tzinfo=hub.city.zone)
    make_action(
        hub=hub,
        campaign=campaign,
        after_the_fact=True,
        starts_at=start,
        title="Streets of Tehran",
    )
    page = client.get(url).content.decode()
    assert link in page and "Report an action that happened" in page
    # The day, never the midnight it is stored as.
    assert "Streets of Tehran" in page and "March 1, 2026" in page and "00:00" not in page


def test_a_public_incident_report_there_keeps_no_contact(campaign, team, operator, make_action):
    hub, _organizer = team
    action = make_action(hub=hub, campaign=campaign, starts_in=-dt.timedelta(hours=1))
    _mark(actor=operator)
    report = {"kind": Incident.Kind.POLICE, "severity": Incident.Severity.MEDIUM}
    with pytest.raises(ContactInside):
        report_incident(
            action,
            **report,
            text="Police at the corner.",
            source=Incident.Source.PUBLIC,
            contact="me@example.org",
            wants_contact=True,
        )
    assert not Incident.objects.exists()
    report_incident(action, **report, text="Police at the corner.", source=Incident.Source.PUBLIC)
    assert Incident.objects.get().contact == ""


def test_the_overview_of_an_action_filed_afterwards_offers_nothing_to_change(
    client, login, campaign, team, make_action
):
    hub, organizer = team
    start = dt.datetime(2026, 3, 1, tzinfo=hub.city.zone)
    action = make_action(hub=hub, campaign=campaign, after_the_fact=True, starts_at=start)
    login(client, organizer)
    page = client.get(f"/en/manage/actions/{action.public_id}/").content.decode()
    assert "March 1, 2026" in page and "00:00" not in page
    for link in ("edit/", "attendees/", "messages/", "emergency/", "duplicate/"):
        assert f"/en/manage/actions/{action.public_id}/{link}" not in page, link
