"""The pages of incidents: the public form (no account, rate-limited, nothing lost on an
error), the supporter's from their manage link, the action's incidents and one incident for the
hub's people, the emergency notice pre-filled from an incident, and the safety desk (who may,
a fixed number of queries, no supporter's identity, the live fragment)."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from streetwave.actions.models import EmergencyNotice
from streetwave.safety import services
from streetwave.safety.models import Incident, SafetyRole

from .conftest import SUPPORTER_EMAIL, SUPPORTER_PSEUDONYM, run_now

pytestmark = pytest.mark.django_db

FORM = {"kind": "police", "severity": "medium", "when": "10", "text": "Police at the corner."}


def _report(action, **overrides):
    fields = {
        "kind": Incident.Kind.MEDICAL,
        "severity": Incident.Severity.MEDIUM,
        "text": "Someone fainted by the stage.",
        "source": Incident.Source.PUBLIC,
        **overrides,
    }
    return services.report_incident(action, **fields)


def _signed_in(login, user):
    client = Client()
    login(client, user)
    return client


# -- the public form ---------------------------------------------------------------------------


def test_the_action_page_offers_the_form_while_it_runs(action, upcoming):
    page = Client().get(reverse("actions:detail", args=[action.public_id])).content.decode()
    assert reverse("safety:report", args=[action.public_id]) in page


def test_anyone_reports_an_incident_and_is_thanked(action):
    client = Client()
    url = reverse("safety:report", args=[action.public_id])
    assert client.get(url).status_code == 200
    response = client.post(url, {**FORM, "wants_contact": "on", "contact": "me@example.org"})
    assert response.status_code == 303
    assert response["Location"] == reverse("safety:report_sent", args=[action.public_id])
    incident = Incident.objects.get()
    assert incident.source == "public" and incident.contact == "me@example.org"
    assert timezone.now() - incident.happened_at > dt.timedelta(minutes=9)


def test_a_wrong_report_comes_back_with_what_was_typed(action):
    response = Client().post(
        reverse("safety:report", args=[action.public_id]), {**FORM, "contact": "me@example.org"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["contact"]
    assert "Police at the corner." in response.content.decode()
    assert not Incident.objects.exists()


def test_the_public_form_is_rate_limited(action, settings):
    settings.INCIDENT_RATE_LIMIT = 2
    cache.clear()
    client = Client()
    url = reverse("safety:report", args=[action.public_id])
    assert [client.post(url, FORM).status_code for _ in range(3)] == [303, 303, 429]
    assert Incident.objects.count() == 2


def test_before_the_action_the_form_says_it_is_not_open(upcoming):
    response = Client().get(reverse("safety:report", args=[upcoming.public_id]))
    assert response.status_code == 200 and response.context["is_open"] is False
    response = Client().post(reverse("safety:report", args=[upcoming.public_id]), FORM)
    assert response.status_code == 409 and not Incident.objects.exists()


# -- the supporter's link ----------------------------------------------------------------------


def test_a_supporter_reports_from_their_manage_link(action, token, rsvp):
    client = Client()
    manage = client.get(reverse("actions:manage", args=[token])).content.decode()
    url = reverse("safety:rsvp_incident", args=[token])
    assert url in manage
    response = client.get(url)
    assert response.status_code == 200 and "contact" not in response.context["form"].fields
    assert response["Cache-Control"].count("no-store")
    response = client.post(url, FORM)
    assert response.status_code == 303
    assert client.get(response["Location"]).status_code == 200
    incident = Incident.objects.get()
    assert incident.source == "supporter" and incident.reporter_rsvp == rsvp


def test_a_bogus_link_is_a_404(action):
    assert Client().get(reverse("safety:rsvp_incident", args=["nope"])).status_code == 404


# -- the organizers' pages ---------------------------------------------------------------------


def test_a_member_reports_from_the_action_pages_but_sees_no_incident(action, member, login):
    _report(action, text="SOMEONE-ELSES-REPORT")
    client = _signed_in(login, member)
    url = reverse("safety:action_incidents", args=[action.public_id])
    page = client.get(url)
    assert page.status_code == 200 and page.context["incidents"] is None
    assert "SOMEONE-ELSES-REPORT" not in page.content.decode()
    response = client.post(url, FORM)
    assert response.status_code == 302
    assert Incident.objects.filter(source="organizer", reported_by=member).exists()


def test_an_organizer_lists_opens_and_handles_an_incident(action, organizer, login):
    incident = _report(action, contact="reach@example.org", wants_contact=True)
    client = _signed_in(login, organizer)
    listing = client.get(reverse("safety:action_incidents", args=[action.public_id]))
    assert incident in listing.context["incidents"]
    page = client.get(reverse("safety:incident", args=[incident.public_id])).content.decode()
    assert "Someone fainted by the stage." in page and "reach@example.org" in page
    client.post(reverse("safety:acknowledge", args=[incident.public_id]))
    client.post(reverse("safety:add_note", args=[incident.public_id]), {"text": "Medic sent."})
    client.post(reverse("safety:resolve", args=[incident.public_id]))
    incident.refresh_from_db()
    assert incident.state == "resolved" and incident.notes.get().text == "Medic sent."


def test_a_coordinator_sees_no_name_of_the_hubs_people(action, organizer, lead, coordinator, login):
    # given an incident an organizer of the hub acknowledged and noted
    organizer.display_name = "HUB-PERSON-NAME"
    organizer.save(update_fields=["display_name"])
    incident = _report(action)
    services.acknowledge_incident(incident, actor=organizer)
    services.add_incident_note(incident, text="Medic sent.", actor=organizer)
    url = reverse("safety:incident", args=[incident.public_id])
    # then the hub's own people see the name, the campaign's coordinator does not
    assert "HUB-PERSON-NAME" not in _signed_in(login, coordinator).get(url).content.decode()
    lead_page = _signed_in(login, lead).get(url).content.decode()
    assert "Medic sent." in lead_page and "HUB-PERSON-NAME" in lead_page


def test_an_empty_note_comes_back_as_an_error(action, organizer, login):
    incident = _report(action)
    response = _signed_in(login, organizer).post(
        reverse("safety:add_note", args=[incident.public_id]), {"text": ""}
    )
    assert response.status_code == 400 and response.context["note_form"].errors["text"]


def test_someone_outside_the_hub_gets_a_404(action, make_user, make_hub, make_member, login):
    incident = _report(action)
    other = make_member(make_hub("Paris hub"))
    for user in (make_user(), other):
        client = _signed_in(login, user)
        assert client.get(reverse("safety:incident", args=[incident.public_id])).status_code == 404
        url = reverse("safety:action_incidents", args=[action.public_id])
        assert client.get(url).status_code == 404


def test_the_emergency_notice_is_prefilled_from_an_incident(action, organizer, login):
    incident = _report(action, text="PRIVATE-WORDS")
    client = _signed_in(login, organizer)
    page = client.get(reverse("safety:incident", args=[incident.public_id]))
    url = page.context["emergency_url"]
    assert url.startswith(reverse("actions:manage_emergency", args=[action.public_id]))
    assert "PRIVATE-WORDS" not in url
    form = client.get(url).context["form"]
    assert "Safety notice: Medical reported at " in form["body"].value()
    response = client.post(url, {"body": form["body"].value() + " Keep to the south side."})
    assert response.status_code == 302
    assert EmergencyNotice.objects.get(action=action).body.endswith("Keep to the south side.")


# -- the safety desk ---------------------------------------------------------------------------


def test_the_desk_is_the_coordinators_and_safety_coordinators(
    action, campaign, coordinator, safety_coordinator, organizer, safety_lead, login
):
    url = reverse("safety:desk", args=[campaign.slug])
    for user in (coordinator, safety_coordinator):
        assert _signed_in(login, user).get(url).status_code == 200
    for user in (organizer, safety_lead):
        assert _signed_in(login, user).get(url).status_code == 404


def test_the_desk_shows_incidents_newest_first_and_names_no_supporter(
    action, campaign, rsvp, safety_coordinator, login, django_assert_max_num_queries
):
    older = _report(
        action,
        source=Incident.Source.SUPPORTER,
        rsvp=rsvp,
        happened_at=timezone.now() - dt.timedelta(minutes=30),
    )
    newer = _report(action, kind=Incident.Kind.THREAT, severity=Incident.Severity.HIGH)
    client = _signed_in(login, safety_coordinator)
    url = reverse("safety:desk", args=[campaign.slug])
    client.get(url)  # the session's own queries, once
    with django_assert_max_num_queries(20):
        page = client.get(url)
    assert page.context["desk"].incidents == [newer, older]
    assert page.context["desk"].happening == [action]
    body = page.content.decode()
    assert SUPPORTER_EMAIL not in body and SUPPORTER_PSEUDONYM not in body
    assert reverse("safety:desk_live", args=[campaign.slug]) in body
    assert "js/live.js" in body
    # filters narrow it down; the fragment shows the same
    filtered = client.get(url, {"kind": "threat"})
    assert filtered.context["desk"].incidents == [newer]
    live = client.get(reverse("safety:desk_live", args=[campaign.slug]), {"state": "new"})
    assert live.status_code == 200 and len(live.context["desk"].incidents) == 2
    assert "<html" not in live.content.decode()


def test_the_desk_query_count_does_not_grow_with_incidents(action, campaign, coordinator, login):
    client = _signed_in(login, coordinator)
    url = reverse("safety:desk_live", args=[campaign.slug])
    _report(action)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(5):
        _report(action)
    with CaptureQueriesContext(connection) as six:
        client.get(url)
    assert len(six) == len(one)


def test_the_desk_lists_emergency_notices_sent(action, campaign, organizer, coordinator, login):
    EmergencyNotice.objects.create(action=action, author=organizer, body="Square closed.")
    page = _signed_in(login, coordinator).get(reverse("safety:desk", args=[campaign.slug]))
    assert "Square closed." in page.content.decode()


def test_the_dashboard_points_a_safety_coordinator_to_the_desk_on_the_day(
    action, campaign, safety_coordinator, login
):
    page = _signed_in(login, safety_coordinator).get(reverse("hubs:dashboard"))
    assert reverse("safety:desk", args=[campaign.slug]) in page.content.decode()


def test_the_dashboard_lists_a_new_incident_for_its_handlers(action, organizer, login):
    incident = _report(action)
    page = _signed_in(login, organizer).get(reverse("hubs:dashboard"))
    assert reverse("safety:incident", args=[incident.public_id]) in page.content.decode()


def test_the_campaign_tabs_link_the_desk(action, campaign, coordinator, login):
    page = _signed_in(login, coordinator).get(reverse("moderation:queue", args=[campaign.slug]))
    assert reverse("safety:desk", args=[campaign.slug]) in page.content.decode()


def test_an_ended_action_is_not_happening_on_the_desk(
    upcoming, token, campaign, coordinator, login
):
    run_now(upcoming, started=dt.timedelta(hours=5))
    page = _signed_in(login, coordinator).get(reverse("safety:desk", args=[campaign.slug]))
    assert page.context["desk"].happening == []


def test_in_persian_the_desk_lists_the_missing_roles_with_the_persian_comma(
    action, campaign, coordinator, login
):
    # given an action under way with neither a marshal nor a medic
    run_now(action)
    # when a coordinator reads the desk in Persian
    page = _signed_in(login, coordinator).get(f"/fa/manage/campaigns/{campaign.slug}/safety/")
    # then the two missing roles are joined as Persian joins a list
    with translation.override("fa"):
        marshal, medic = (str(SafetyRole.Kind(kind).label) for kind in ("marshal", "medic"))
    assert f"{marshal}، {medic}" in page.content.decode()
