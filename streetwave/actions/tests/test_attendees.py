"""Attendee lists show pseudonyms and statuses, never contacts; organizers write to supporters
through a relay that reveals no address."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from streetwave.actions import services
from streetwave.actions.models import RELAY_APPROVAL_THRESHOLD, RelayMessage
from streetwave.approvals.models import Approval
from streetwave.audit.models import AuditEntry
from streetwave.core.errors import NotAllowed

pytestmark = pytest.mark.django_db

CANARY_EMAIL = "canary-attendee@example.org"


def test_the_list_shows_pseudonyms_statuses_and_languages_never_a_contact(
    client, login, team, make_action, rsvp
):
    # Given RSVPs with a canary email, a pseudonym, and one without either
    action = make_action(hub=team.hub, capacity=1)
    rsvp(action, pseudonym="Canary Leila", email=CANARY_EMAIL, language="fa")
    rsvp(action, email="second-canary@example.org")
    login(client, team.organizer)
    # When an organizer of the hub opens the list
    response = client.get(f"/en/manage/actions/{action.public_id}/attendees/")
    # Then they see the pseudonym, "anonymous", statuses and languages, and no address at all
    html = response.content.decode()
    assert response.status_code == 200
    assert "Canary Leila" in html and "anonymous" in html
    assert ">Going<" in html and ">Waitlisted<" in html and "Persian" in html
    assert "canary-attendee" not in html and "second-canary" not in html
    assert "@example.org" not in html


def test_the_list_never_even_decrypts_a_contact(client, login, team, make_action, rsvp):
    action = make_action(hub=team.hub)
    rsvp(action, pseudonym="Someone", email=CANARY_EMAIL)
    login(client, team.organizer)
    with CaptureQueriesContext(connection) as queries:
        client.get(f"/en/manage/actions/{action.public_id}/attendees/")
    rsvp_reads = [q["sql"] for q in queries if 'FROM "actions_rsvp"' in q["sql"]]
    assert rsvp_reads and not any('"contact"' in sql for sql in rsvp_reads)


def test_the_list_takes_the_same_queries_for_3_or_30_rsvps(client, login, team, make_action, rsvp):
    action = make_action(hub=team.hub)
    login(client, team.organizer)
    url = f"/en/manage/actions/{action.public_id}/attendees/"
    client.get(url)  # the first request of a session also records the session's use
    counts = []
    for total in (3, 30):
        while action.rsvps.count() < total:
            rsvp(action, pseudonym=f"p{action.rsvps.count()}")
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        # Without the session's bookkeeping, which writes its last use again whenever a step of
        # its rounded clock passes (accounts.models.LAST_SEEN_STEP), between any two requests.
        counts.append(sum('UPDATE "accounts_usersession"' not in query["sql"] for query in queries))
    assert counts[0] == counts[1]


def test_a_safety_lead_sees_the_list_but_cannot_export(client, login, team, make_action):
    action = make_action(hub=team.hub)
    login(client, team.safety_lead)
    html = client.get(f"/en/manage/actions/{action.public_id}/attendees/").content.decode()
    assert "Ask for an export" not in html
    response = client.post(f"/en/manage/actions/{action.public_id}/exports/")
    assert response.status_code == 404


def test_the_relay_mails_each_live_supporter_alone_without_revealing_addresses(
    client, login, team, make_action, rsvp, django_capture_on_commit_callbacks
):
    # Given live RSVPs with and without contacts, and a cancelled one
    action = make_action(hub=team.hub)
    rsvp(action, pseudonym="Parisa", email="one@example.org", language="fa")
    rsvp(action, email="two@example.org", language="de")
    rsvp(action, pseudonym="no contact")
    rsvp(action, email="gone@example.org")
    services.cancel_rsvp(action.rsvps.get(contact_index__gt="", pseudonym="", language="en"))
    mail.outbox.clear()
    login(client, team.organizer)
    # When an organizer writes through the relay
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/en/manage/actions/{action.public_id}/messages/",
            {"body": "Bring water & a hat. It's hot."},
        )
    assert response.status_code == 302
    # Then each live supporter with a contact gets their own copy, with nobody else's address
    assert sorted(m.to[0] for m in mail.outbox) == ["one@example.org", "two@example.org"]
    for message in mail.outbox:
        assert len(message.to) == 1 and not message.cc and not message.bcc
        assert not message.reply_to and message.message()["Reply-To"] is None
        assert team.organizer.email not in str(message.message())
        other = "two@example.org" if message.to == ["one@example.org"] else "one@example.org"
        assert other not in str(message.message())
        assert "Bring water & a hat. It's hot." in message.body
    # and the audit row has counts, not the text
    entry = AuditEntry.objects.get(verb="relay_message.sent")
    assert entry.data["recipients"] == 2 and "water" not in str(entry.data)
    # and the organizer's page lists the message without any address
    html = client.get(f"/en/manage/actions/{action.public_id}/messages/").content.decode()
    assert "sent to 2 people" in html and "@example.org" not in html


def test_a_message_to_many_waits_for_a_second_organizer(
    client, login, team, make_action, rsvp, django_capture_on_commit_callbacks
):
    # Given more supporters with a contact than one organizer may reach alone
    action = make_action(hub=team.hub)
    for n in range(RELAY_APPROVAL_THRESHOLD + 1):
        rsvp(action, email=f"s{n}@example.org")
    mail.outbox.clear()
    # When an organizer writes to them
    with django_capture_on_commit_callbacks(execute=True):
        message = services.send_relay_message(
            action, body="The square moved!", actor=team.organizer
        )
    # Then nothing goes out until a second organizer approves
    assert message.is_held and mail.outbox == []
    with pytest.raises(NotAllowed):
        services.approve_relay_message(message, actor=team.organizer)
    login(client, team.lead)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/en/manage/messages/{message.public_id}/approve/")
    message.refresh_from_db()
    assert message.approval == Approval.APPROVED and message.approved_by == team.lead
    assert len(mail.outbox) == RELAY_APPROVAL_THRESHOLD + 1


def test_an_empty_message_is_refused(client, login, team, make_action):
    action = make_action(hub=team.hub)
    login(client, team.organizer)
    response = client.post(f"/en/manage/actions/{action.public_id}/messages/", {"body": ""})
    assert response.status_code == 400
    assert not RelayMessage.objects.exists()
