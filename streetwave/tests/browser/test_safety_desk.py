"""An incident on the day, in Persian: a supporter reports it from their private link, the
campaign's safety desk shows it, and an organizer of the hub acknowledges it and sends an
emergency notice from it."""

import datetime as dt

import pytest
from django.utils import timezone

from streetwave.actions.models import RSVP, Action, EmergencyNotice
from streetwave.core.ids import hash_token, new_token
from streetwave.hubs.models import Membership
from streetwave.safety.models import Incident

from .sharing import writes_rows_the_server_shows

# django_db: each test runs in a transaction rolled back after it (the server shares it on
# SQLite), so the action moved to "now" here is back in its place for the other tests.
pytestmark = [pytest.mark.browser, pytest.mark.django_db, writes_rows_the_server_shows]


def _happening_action_of_the_lead(site) -> Action:
    """An action of the signed-in lead's hub, moved to have started half an hour ago."""
    email = site.organizers[1][0]
    hub = Membership.objects.get(user__email=email, role=Membership.Role.LEAD).hub
    action = (
        Action.objects.filter(hub=hub, campaign__slug=site.slug, status=Action.Status.PUBLISHED)
        .order_by("starts_at")
        .first()
    )
    assert action is not None, "the demo lead's hub has no published action"
    start = timezone.now() - dt.timedelta(minutes=30)
    Action.objects.filter(pk=action.pk).update(
        starts_at=start, ends_at=start + dt.timedelta(hours=2)
    )
    return action


def _private_link(action: Action) -> str:
    token = new_token()
    RSVP.objects.create(
        action=action,
        language="fa",
        consent_version="1",
        status=RSVP.Status.GOING,
        manage_token_hash=hash_token(token),
    )
    return f"/fa/rsvp/{token}/"


def test_a_supporters_incident_reaches_the_desk_and_an_organizer_acts_on_it(
    site, visit, states, screenshots
):
    # Given an action happening now, and a supporter going to it with their private link
    action = _happening_action_of_the_lead(site)
    link = _private_link(action)

    # When the supporter reports a high-severity incident from their link, in Persian
    supporter = visit()
    page = supporter.page
    supporter.go(link)
    page.locator("section.rsvp-incident a").click()
    page.wait_for_url("**/incident/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.locator("input[name=kind][value=police]").check()
    page.locator("input[name=severity][value=high]").check()
    page.fill("textarea[name=text]", "پلیس در گوشه‌ی شمالی میدان ایستاده است.")
    page.screenshot(path=str(screenshots / "fa-incident-report.png"), full_page=True)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.locator("[role=status]").first.is_visible()
    incident = Incident.objects.get(action=action)
    assert incident.source == Incident.Source.SUPPORTER and incident.severity == "high"

    # Then the campaign's safety desk shows it, naming no one
    coordinator = visit(storage_state=states["coordinator"])
    desk = coordinator.page
    coordinator.go(f"/fa/manage/campaigns/{site.slug}/safety/")
    card = desk.locator(f"#desk-incident-{incident.public_id}")
    assert card.is_visible()
    assert action.title in desk.locator("[data-live-src]").inner_text()
    desk.screenshot(path=str(screenshots / "fa-safety-desk.png"), full_page=True)

    # When an organizer of the hub acknowledges it and sends an emergency notice from it
    lead = visit(storage_state=states["lead"])
    organizer = lead.page
    lead.go(f"/fa/manage/incidents/{incident.public_id}/")
    with organizer.expect_navigation():
        organizer.locator("form[action$='/acknowledge/'] button").click()
    organizer.locator("a.button[href*='/emergency/']").click()
    organizer.wait_for_url("**/emergency/**")
    body = organizer.locator("textarea[name=body]")
    assert body.input_value(), "the notice starts from the incident"
    body.fill(body.input_value() + " با هم بمانید.")
    with organizer.expect_navigation():
        organizer.locator("main form button[type=submit]").click()

    # Then the incident is acknowledged by them, and the notice went out
    incident.refresh_from_db()
    assert incident.state == Incident.State.ACKNOWLEDGED
    assert EmergencyNotice.objects.filter(action=action).exists()
    organizer.screenshot(path=str(screenshots / "fa-incident-notice-sent.png"), full_page=True)
