"""Moderation's pages: the public report form (no account, rate-limited, nothing lost on an
error), the coordinators' queue (a fixed number of queries, a contact only where asked for),
taking down and suspending from the browser, the removed action's page, and a lead's flag.
And a taken-down action leaves the map, the wave, the calendars, the lists and the API."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from streetwave.actions.models import Action
from streetwave.campaigns.live import get_live_document
from streetwave.hubs.models import Membership
from streetwave.moderation import services
from streetwave.moderation.models import MODERATION_APPROVAL_THRESHOLD, HubFlag, Report, Takedown

pytestmark = pytest.mark.django_db

REPORT = {"kind": "fake", "text": "Nobody knows this hub.", "contact": "", "wants_contact": ""}


def _report_url(action):
    return reverse("moderation:report", args=[action.public_id])


def _queue_url(campaign):
    return reverse("moderation:queue", args=[campaign.slug])


# -- the public report form ----------------------------------------------------------------------


def test_every_action_page_offers_to_report_it(action):
    page = Client().get(reverse("actions:detail", args=[action.public_id]))
    assert _report_url(action) in page.content.decode()


def test_anyone_reports_an_action_and_is_thanked(action):
    client = Client()
    assert client.get(_report_url(action)).status_code == 200
    response = client.post(_report_url(action), REPORT)
    assert response.status_code == 303
    assert response["Location"] == reverse("moderation:report_sent", args=[action.public_id])
    assert client.get(response["Location"]).status_code == 200
    report = Report.objects.get()
    assert (report.kind, report.text, report.contact) == ("fake", "Nobody knows this hub.", "")


def test_a_wrong_report_comes_back_with_what_was_typed(action):
    # Given a contact without ticking the box
    data = {**REPORT, "contact": "me@example.org"}
    response = Client().post(_report_url(action), data)
    # Then the form comes back with an error on the contact and the text kept
    assert response.status_code == 400
    assert response.context["form"].errors["contact"]
    assert "Nobody knows this hub." in response.content.decode()
    assert not Report.objects.exists()


def test_reports_are_rate_limited(action, settings):
    settings.REPORT_RATE_LIMIT = 1
    client = Client()
    assert client.post(_report_url(action), REPORT).status_code == 303
    response = client.post(_report_url(action), REPORT)
    assert response.status_code == 429
    assert "Nobody knows this hub." in response.content.decode()
    assert Report.objects.count() == 1


def test_a_draft_cannot_be_reported(campaign, hub, make_action):
    draft = make_action(hub=hub, campaign=campaign, status=Action.Status.DRAFT)
    assert Client().get(_report_url(draft)).status_code == 404


# -- the queue -----------------------------------------------------------------------------------


def test_the_queue_groups_reports_and_shows_a_contact_only_where_asked(action, coordinator, login):
    services.report_action(
        action, kind="fake", text="Staged.", contact="call-me@example.org", wants_contact=True
    )
    services.report_action(action, kind="fake", text="Fake again.")
    services.report_action(action, kind="endangers", text="A trap.")
    client = Client()
    login(client, coordinator)
    page = client.get(_queue_url(action.campaign))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Fake or misleading: 2" in html and "Endangers people: 1" in html
    assert "call-me@example.org" in html
    assert html.index("A trap.") < html.index("Staged.")  # newest first


def test_the_queue_costs_the_same_queries_for_many_reports(
    campaign, hub, lead, coordinator, make_action, make_hub, make_city, login
):
    # Given a queue with one reported action and one flagged hub
    client = Client()
    login(client, coordinator)
    numbers = iter(range(100))

    def fill(count):
        for _ in range(count):
            number = next(numbers)
            reported = make_action(hub=hub, campaign=campaign, title=f"Action {number}")
            services.report_action(
                reported, kind="other", text="Odd.", contact="x@example.org", wants_contact=True
            )
            services.report_action(reported, kind="fake", text="Fake.")
            flagged = make_hub(f"Hub {number}", city=make_city(f"City {number}"))
            make_action(hub=flagged, campaign=campaign)
            services.flag_hub(flagged, by_hub=hub, reason="Odd.", actor=lead)

    fill(1)
    client.get(_queue_url(campaign))
    with CaptureQueriesContext(connection) as one:
        client.get(_queue_url(campaign))
    # When there are five more of each / Then the page costs the same queries
    fill(5)
    with CaptureQueriesContext(connection) as six:
        page = client.get(_queue_url(campaign))
    assert page.status_code == 200
    assert page.content.decode().count("Mark as handled") == 6 * 2 + 6
    assert len(six.captured_queries) == len(one.captured_queries)


def test_the_queue_dates_a_report_in_the_readers_calendar_and_digits(action, coordinator, login):
    # Given a report made on the first day of the Persian year, 1405
    report = services.report_action(action, kind="fake", text="Staged.")
    moment = dt.datetime(2026, 3, 21, 9, 30, tzinfo=dt.UTC)
    Report.objects.filter(pk=report.pk).update(created_at=moment)
    client = Client()
    login(client, coordinator)
    # When a coordinator reads the queue in Persian
    with translation.override("fa"):
        html = client.get(_queue_url(action.campaign)).content.decode()
    # Then the report's date is in the Jalali calendar, with Persian digits only
    dated = html.split(f'id="report-{report.public_id}"')[1].split("</p>")[0]
    assert "۱۴۰۵" in dated and "۲۰۲۶" in dated
    assert not any(digit in dated for digit in "0123456789")


def test_the_queue_is_for_the_campaigns_coordinators(action, organizer, lead, login):
    for who in (organizer, lead):
        client = Client()
        login(client, who)
        assert client.get(_queue_url(action.campaign)).status_code == 404


# -- taking down, suspending, approving from the queue -------------------------------------------


def test_a_coordinator_takes_an_action_down_from_the_browser(
    action, coordinator, login, django_capture_on_commit_callbacks
):
    client = Client()
    login(client, coordinator)
    url = reverse("moderation:take_down", args=[action.campaign.slug, action.public_id])
    assert client.get(url).status_code == 200
    # A missing reason: the form comes back, the note kept
    refused = client.post(url, {"note": "Troll."})
    assert refused.status_code == 400 and "Troll." in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url, {"reason": "fake", "note": "Troll."})
    assert done.status_code == 302
    action.refresh_from_db()
    assert action.status == Action.Status.REMOVED


def test_the_page_of_a_removed_action_says_so_without_its_place_or_form(action, coordinator):
    services.take_down_action(action, reason="fake", actor=coordinator)
    page = Client().get(reverse("actions:detail", args=[action.public_id]))
    html = page.content.decode()
    assert page.status_code == 410
    assert "This action was removed" in html
    assert action.place not in html and action.title not in html
    assert reverse("actions:rsvp", args=[action.public_id]) not in html
    assert Client().post(reverse("actions:rsvp", args=[action.public_id])).status_code == 404


def test_a_held_takedown_is_approved_by_a_second_coordinator_from_the_queue(
    action, coordinator, second_coordinator, rsvp_to, login
):
    rsvp_to(action, MODERATION_APPROVAL_THRESHOLD + 1)
    takedown = services.take_down_action(action, reason="unsafe", actor=coordinator)
    slug = action.campaign.slug
    approve = reverse("moderation:takedown_approve", args=[slug, takedown.public_id])
    # The requester's own approval is refused with a message, and nothing changes
    mine = Client()
    login(mine, coordinator)
    assert "waits until a second" not in mine.get(_queue_url(action.campaign)).content.decode()
    mine.post(approve)
    assert Takedown.objects.get().is_held
    # A second coordinator approves it
    theirs = Client()
    login(theirs, second_coordinator)
    assert approve in theirs.get(_queue_url(action.campaign)).content.decode()
    assert theirs.post(approve).status_code == 302
    action.refresh_from_db()
    assert action.status == Action.Status.REMOVED


def test_a_coordinator_suspends_and_reinstates_a_hub(hub, action, coordinator, login):
    client = Client()
    login(client, coordinator)
    slug = action.campaign.slug
    suspend = reverse("moderation:suspend", args=[slug, hub.public_id])
    assert client.get(suspend).status_code == 200
    assert client.post(suspend, {"reason": "fake"}).status_code == 302
    hub.refresh_from_db()
    assert hub.status == hub.Status.SUSPENDED
    assert hub.name in client.get(_queue_url(action.campaign)).content.decode()
    client.post(reverse("moderation:reinstate", args=[slug, hub.public_id]))
    hub.refresh_from_db()
    assert hub.status == hub.Status.ACTIVE


# -- a lead flags a hub --------------------------------------------------------------------------


def test_a_lead_flags_another_hub_from_its_page(
    hub, action, coordinator, make_hub, make_member, make_city, login
):
    paris = make_hub("Paris hub", city=make_city("Paris", country="FR", lat=48.85, lon=2.35))
    paris_lead = make_member(paris, Membership.Role.LEAD)
    client = Client()
    url = reverse("moderation:flag", args=[hub.public_id])
    hub_page = reverse("hubs:detail", args=[hub.public_id])
    # The hub's page offers the flag to the lead of another hub, and to nobody else
    assert url not in client.get(hub_page).content.decode()
    login(client, paris_lead)
    assert url in client.get(hub_page).content.decode()
    assert client.get(url).status_code == 200
    assert client.post(url, {"by_hub": paris.pk, "reason": ""}).status_code == 400
    assert client.post(url, {"by_hub": paris.pk, "reason": "Nobody met them."}).status_code == 302
    flag = HubFlag.objects.get()
    # Its own hub it cannot flag: a 404, as for anyone who leads no other hub
    assert client.get(reverse("moderation:flag", args=[paris.public_id])).status_code == 404
    queue = Client()
    login(queue, coordinator)
    assert "Nobody met them." in queue.get(_queue_url(action.campaign)).content.decode()
    assert flag.by_hub == paris


# -- gone from every public surface ---------------------------------------------------------------


def test_a_taken_down_action_leaves_map_wave_calendars_lists_and_api_at_once(
    action, coordinator, django_capture_on_commit_callbacks
):
    campaign, client = action.campaign, Client()
    slug = campaign.slug
    surfaces = [
        reverse("campaigns:map_data", args=[slug]),
        reverse("campaigns:wave_fragment", args=[slug]),
        reverse("campaigns:calendar", args=[slug]),
        reverse("campaigns:places", args=[slug, action.city.country.code.lower()]),
        reverse("hubs:detail", args=[action.hub.public_id]),
        reverse("hubs:calendar", args=[action.hub.public_id]),
        f"/api/v1/actions?campaign={slug}",
    ]

    def shown():
        return {url for url in surfaces if action.public_id in client.get(url).content.decode()}

    # Given every surface shows the action, the live documents from the cache
    assert shown() == set(surfaces)
    with translation.override("en"):
        assert action.public_id in get_live_document("map", slug).text
    # When it is taken down
    with django_capture_on_commit_callbacks(execute=True):
        services.take_down_action(action, reason="fake", actor=coordinator)
    # Then no surface shows it, without waiting for the cached copies to age
    assert shown() == set()
    assert client.get(reverse("actions:calendar", args=[action.public_id])).status_code == 404
    assert client.get(f"/api/v1/actions/{action.public_id}").status_code == 404


def test_a_supporters_own_page_hides_the_place_of_a_removed_action(
    campaign, hub, coordinator, make_action
):
    # Given an action whose meeting point is revealed, and someone going with their own link
    from streetwave.actions import services as actions

    soon = make_action(
        hub=hub,
        campaign=campaign,
        starts_in=dt.timedelta(hours=1),
        meeting_point="TRAP-MEETING-POINT",
        place="TRAP-SQUARE",
    )
    receipt = actions.create_rsvp(soon, language="en", consent=True)
    page = reverse("actions:manage", args=[receipt.token])
    assert "TRAP-MEETING-POINT" in Client().get(page).content.decode()
    # When it is taken down
    services.take_down_action(soon, reason="unsafe", actor=coordinator)
    # Then their page says so, without its place or meeting point
    html = Client().get(page).content.decode()
    assert "took this action down" in html
    assert "TRAP-MEETING-POINT" not in html and "TRAP-SQUARE" not in html


def test_the_report_page_reads_right_to_left_in_persian(action):
    page = Client().get(_report_url(action).replace("/en/", "/fa/", 1))
    assert page.status_code == 200
    assert 'dir="rtl"' in page.content.decode()
