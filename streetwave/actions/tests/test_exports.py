"""Exports of an attendee list: a second organizer approves; then only the requester downloads,
once, within 15 minutes of the approval."""

import csv
import io

import pytest

from streetwave.actions import services
from streetwave.actions.models import AttendeeExport
from streetwave.audit.models import AuditEntry
from streetwave.core.errors import NotAllowed

pytestmark = pytest.mark.django_db


@pytest.fixture
def listed_action(make_action, team, rsvp):
    action = make_action(hub=team.hub, capacity=1)
    rsvp(action, pseudonym="Canary Nasrin", email="canary-export@example.org")
    rsvp(action, email="canary-anon@example.org")
    rsvp(action, pseudonym="=HYPERLINK(1)")
    rsvp(action, pseudonym="Gone", email="canary-gone@example.org")
    services.cancel_rsvp(action.rsvps.get(pseudonym="Gone"))
    return action


def download_url(export):
    return f"/en/manage/exports/{export.public_id}/download/"


def test_an_export_needs_a_second_organizer_and_then_works_once_for_the_requester(
    client, login, team, listed_action
):
    action = listed_action
    # Given organizer A asks for an export
    login(client, team.organizer)
    client.post(f"/en/manage/actions/{action.public_id}/exports/")
    export = AttendeeExport.objects.get()
    assert export.requested_by == team.organizer
    # A cannot approve their own request, and cannot download before approval
    client.post(f"/en/manage/exports/{export.public_id}/approve/")
    export.refresh_from_db()
    assert export.approved_at is None
    assert client.get(download_url(export)).status_code == 404
    # When the lead (B) approves it
    login(client, team.lead)
    attendees = client.get(f"/en/manage/actions/{action.public_id}/attendees/").content.decode()
    assert f"/en/manage/exports/{export.public_id}/approve/" in attendees
    client.post(f"/en/manage/exports/{export.public_id}/approve/")
    export.refresh_from_db()
    assert export.approved_by == team.lead
    # Then B, who approved, cannot download it
    assert client.get(download_url(export)).status_code == 404
    assert client.post(download_url(export)).status_code == 404
    # and A can, once: a CSV with pseudonyms and statuses only
    login(client, team.organizer)
    assert client.get(download_url(export)).status_code == 200
    response = client.post(download_url(export))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Cache-Control"] == "no-store"
    body = response.content.decode()
    rows = list(csv.reader(io.StringIO(body)))
    assert rows == [
        ["Name or pseudonym", "Status"],
        ["Canary Nasrin", "Going"],
        ["anonymous", "Waitlisted"],
        ["'=HYPERLINK(1)", "Waitlisted"],
    ]
    assert "canary-" not in body and "@" not in body
    # The second try finds nothing
    assert client.post(download_url(export)).status_code == 404
    assert client.get(download_url(export)).status_code == 404
    verbs = set(AuditEntry.objects.filter(hub_id=team.hub.public_id).values_list("verb", flat=True))
    assert {
        "attendee_export.requested",
        "attendee_export.approved",
        "attendee_export.downloaded",
    } <= verbs
    assert "Canary" not in str(list(AuditEntry.objects.values_list("data", flat=True)))


def test_the_requester_cannot_approve_their_own_export(team, listed_action):
    export = services.request_attendee_export(listed_action, actor=team.organizer)
    with pytest.raises(NotAllowed):
        services.approve_attendee_export(export, actor=team.organizer)


def test_the_link_expires_15_minutes_after_approval(client, login, team, listed_action, clock):
    export = services.request_attendee_export(listed_action, actor=team.organizer)
    # Approval may come long after the request: the 15 minutes start at the approval
    clock.advance(hours=2)
    services.approve_attendee_export(export, actor=team.lead)
    login(client, team.organizer)
    clock.advance(minutes=14)
    assert client.get(download_url(export)).status_code == 200
    clock.advance(minutes=2)
    assert client.get(download_url(export)).status_code == 404
    assert client.post(download_url(export)).status_code == 404
    export.refresh_from_db()
    assert export.used_at is None


def test_an_organizer_of_another_hub_cannot_approve_or_download(
    client, login, team, listed_action, make_hub, make_member, make_city
):
    export = services.request_attendee_export(listed_action, actor=team.organizer)
    stranger = make_member(make_hub("Paris hub", city=make_city("Paris", country="FR")))
    login(client, stranger)
    assert client.post(f"/en/manage/exports/{export.public_id}/approve/").status_code == 404
    services.approve_attendee_export(export, actor=team.lead)
    assert client.get(download_url(export)).status_code == 404


def test_the_requester_is_told_on_the_dashboard_when_the_export_is_ready(team, listed_action):
    from streetwave.hubs.queries import pending_items_for

    export = services.request_attendee_export(listed_action, actor=team.organizer)
    assert any("waits for your approval" in item.text for item in pending_items_for(team.lead))
    assert not any("export" in item.text for item in pending_items_for(team.organizer))
    services.approve_attendee_export(export, actor=team.lead)
    ready = [item for item in pending_items_for(team.organizer) if "is approved" in item.text]
    assert ready and ready[0].url == download_url(export)
    assert not any("export" in item.text for item in pending_items_for(team.lead))
