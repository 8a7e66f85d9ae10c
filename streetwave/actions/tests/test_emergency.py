"""Emergency notices: sent at once to everyone going, shown on the public page until the action
ends; and the link check every message to many supporters passes (notices and relay)."""

import datetime as dt

import pytest
from django.conf import settings
from django.core import mail
from django.shortcuts import resolve_url

from streetwave.actions import services
from streetwave.actions.models import RSVP, Action, EmergencyNotice, RelayMessage
from streetwave.audit.models import AuditEntry
from streetwave.core.errors import Conflict, DomainError, NotAllowed
from streetwave.outbox.models import Message

pytestmark = pytest.mark.django_db

NOTICE = "The police closed the square. Stay together and wait for the marshals."
EVIL = "https://streetwave-login.example.com/confirm"


@pytest.fixture
def action(team, make_action, make_campaign, rsvp):
    """An action in two hours: one going with an email, one going without, one waitlisted with
    an email, one who cancelled."""
    campaign = make_campaign()
    campaign.link_allowlist = ["maps.example.net"]
    campaign.save()
    action = make_action(
        hub=team.hub, campaign=campaign, capacity=2, starts_in=dt.timedelta(hours=2)
    )
    rsvp(action, email="going@example.org", language="fa")
    rsvp(action)
    rsvp(action, email="waiting@example.org")
    rsvp(action, email="gone@example.org")
    services.cancel_rsvp(RSVP.objects.filter(status=RSVP.Status.WAITLISTED).latest("id"))
    mail.outbox.clear()
    action.refresh_from_db()
    return action


def send(client, action, body):
    return client.post(f"/en/manage/actions/{action.public_id}/emergency/", {"body": body})


def test_a_notice_goes_at_once_to_everyone_going_and_onto_the_public_page(
    client, login, team, action, django_capture_on_commit_callbacks
):
    # Given the page has no banner
    public = f"/en/a/{action.public_id}/"
    assert 'role="alert"' not in client.get(public).content.decode()

    # When a safety lead sends a notice through the page
    login(client, team.safety_lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = send(client, action, NOTICE)

    # Then it is mailed to the one person going with an address, in their language, alone
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["going@example.org"]
    assert NOTICE in message.body and f"/fa/a/{action.public_id}/" in message.body
    assert 'dir="rtl"' in message.alternatives[0][0]
    for text in (message.body, message.alternatives[0][0]):
        assert "/rsvp/" not in text and "/accounts/" not in text
    # and the public page shows it at once, as an alert with a heading and the local time
    page = client.get(public).content.decode()
    assert 'role="alert"' in page and "Urgent notice from the organizers" in page
    assert NOTICE in page
    notice = EmergencyNotice.objects.get()
    assert notice.local_created_at.strftime("%H:%M") in page
    assert "(UTC+01:00)" in page or "(UTC+02:00)" in page
    assert notice.recipient_count == 1 and notice.author == team.safety_lead
    # and the organizers' page lists it
    listed = client.get(f"/en/manage/actions/{action.public_id}/emergency/").content.decode()
    assert NOTICE in listed and "sent to 1 person" in listed
    # and the log has who and how many, never the text
    entry = AuditEntry.objects.get(verb="action.emergency_notice_sent")
    assert entry.actor == team.safety_lead
    assert entry.data == {"notice": notice.public_id, "recipients": 1}
    assert "police" not in str(entry.data)


def test_the_page_shows_the_latest_notice_until_the_action_ends(client, team, action, clock):
    services.send_emergency_notice(action, body="First: we start later.", actor=team.lead)
    clock.advance(minutes=5)
    services.send_emergency_notice(action, body=NOTICE, actor=team.organizer)
    public = f"/en/a/{action.public_id}/"

    page = client.get(public).content.decode()
    assert NOTICE in page and "First: we start later." not in page

    clock.advance(hours=3, minutes=50)
    assert NOTICE in client.get(public).content.decode()
    clock.advance(minutes=6)
    page = client.get(public).content.decode()
    assert NOTICE not in page and 'role="alert"' not in page


@pytest.mark.parametrize("role", ["member", "other_hub_lead", "coordinator", "anonymous"])
def test_people_without_the_permission_get_a_404_and_send_nothing(
    client, login, team, action, role, make_hub, make_city, make_member, make_coordinator
):
    users = {
        "member": team.member,
        "other_hub_lead": make_member(
            make_hub("Paris hub", city=make_city("Paris", country="FR", lat=48.85, lon=2.35)),
            "lead",
        ),
        "coordinator": make_coordinator(action.campaign),
        "anonymous": None,
    }
    if users[role] is not None:
        login(client, users[role])

    page = client.get(f"/en/manage/actions/{action.public_id}/emergency/")
    posted = send(client, action, NOTICE)

    if role == "anonymous":
        assert page.status_code == posted.status_code == 302
        assert posted["Location"].startswith(resolve_url(settings.LOGIN_URL))
    else:
        assert page.status_code == posted.status_code == 404
    assert not EmergencyNotice.objects.exists() and mail.outbox == []
    if users[role] is not None:
        with pytest.raises(NotAllowed):
            services.send_emergency_notice(action, body=NOTICE, actor=users[role])


def test_a_notice_with_a_link_outside_the_site_and_the_allowlist_is_refused(
    client, login, team, action, django_capture_on_commit_callbacks
):
    login(client, team.organizer)
    with django_capture_on_commit_callbacks(execute=True):
        response = send(client, action, f"Confirm your place at {EVIL}")

    assert response.status_code == 400
    assert "This link is not allowed" in response.content.decode()
    assert not EmergencyNotice.objects.exists() and mail.outbox == []
    with pytest.raises(DomainError) as refused:
        services.send_emergency_notice(action, body=f"See {EVIL}", actor=team.organizer)
    assert refused.value.field == "body"
    # A link to the site itself or to a host the campaign allows passes the link check, but a
    # notice cannot send people anywhere: no link at all (see the tests below)
    for link in (
        "https://maps.example.net/berlin",
        f"http://127.0.0.1:8000/en/a/{action.public_id}/",
    ):
        with pytest.raises(DomainError, match="cannot send people to another place"):
            services.send_emergency_notice(action, body=f"See {link}", actor=team.organizer)
    assert not EmergencyNotice.objects.exists()


# -- a notice cannot move people ---------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "URGENT: the meeting point moved to https://maps.example.net/elsewhere",
        "Police at the square. New meeting point: the bakery on Oranienstraße.",
        "Come here now: 52.5200, 13.4050",
        "پلیس میدان را بست. بروید به ایستگاه قطار.",
    ],
)
def test_a_notice_that_names_a_new_place_is_refused_and_sends_nothing(
    team, action, body, django_capture_on_commit_callbacks
):
    # Given an organizer (or a stolen account) writing a notice that sends people elsewhere
    # When it is sent
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(DomainError) as refused,
    ):
        services.send_emergency_notice(action, body=body, actor=team.lead)

    # Then it is refused beside the text, pointing to the held change; nothing is sent or shown
    assert refused.value.field == "body"
    assert "change it on the action's edit page: a second person confirms it" in str(
        refused.value.message
    )
    assert not EmergencyNotice.objects.exists() and mail.outbox == []
    assert not AuditEntry.objects.filter(verb="action.emergency_notice_sent").exists()


def test_an_ordinary_notice_about_where_people_are_still_goes_at_once(
    team, action, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notice = services.send_emergency_notice(
            action, body="Stay calm, the police are at the north corner", actor=team.organizer
        )

    assert notice.recipient_count == 1
    [message] = mail.outbox
    assert "the police are at the north corner" in message.body


def test_the_notice_page_refuses_a_new_place_and_links_to_the_edit_page(
    client, login, team, action
):
    # Given an organizer on the emergency page
    login(client, team.organizer)
    page = client.get(f"/en/manage/actions/{action.public_id}/emergency/").content.decode()
    edit = f"/en/manage/actions/{action.public_id}/edit/"
    # Then the page says before anything is typed that a notice cannot move people, and where
    # a move belongs
    assert "A notice cannot send people to another place" in page and f'href="{edit}"' in page

    # When they send "meet at" another place
    response = send(client, action, "Meet at the back entrance of the station!")

    # Then the form comes back with the refusal beside the text, and nothing was sent
    assert response.status_code == 400
    page = response.content.decode()
    assert "cannot send people to another place" in page and "meet at" in page
    assert "Meet at the back entrance of the station!" in page
    assert not EmergencyNotice.objects.exists()


def test_a_safety_lead_who_cannot_edit_the_action_is_told_to_ask_an_organizer(
    client, login, team, action
):
    login(client, team.safety_lead)

    page = client.get(f"/en/manage/actions/{action.public_id}/emergency/").content.decode()

    assert "ask an organizer of your hub to change it" in page
    assert f"/en/manage/actions/{action.public_id}/edit/" not in page


def test_an_empty_or_long_notice_is_refused(team, action):
    with pytest.raises(DomainError, match="Write the notice"):
        services.send_emergency_notice(action, body="   ", actor=team.organizer)
    with pytest.raises(DomainError, match="at most 1,000 characters"):
        services.send_emergency_notice(action, body="x" * 1001, actor=team.organizer)
    assert not EmergencyNotice.objects.exists()


def test_no_notice_for_an_action_that_ended_or_was_cancelled(
    client, login, team, action, make_action, clock
):
    cancelled = make_action(hub=team.hub, status=Action.Status.CANCELLED)
    with pytest.raises(Conflict):
        services.send_emergency_notice(cancelled, body=NOTICE, actor=team.organizer)

    clock.advance(hours=4, minutes=1)
    with pytest.raises(Conflict):
        services.send_emergency_notice(action, body=NOTICE, actor=team.organizer)
    login(client, team.organizer)
    page = client.get(f"/en/manage/actions/{action.public_id}/emergency/").content.decode()
    assert "<textarea" not in page and "has not ended" in page
    assert not EmergencyNotice.objects.exists()


# -- the same link check for relay messages --------------------------------------------------


def test_a_relay_message_with_a_foreign_link_is_refused_on_the_form(
    client, login, team, action, django_capture_on_commit_callbacks
):
    login(client, team.organizer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/en/manage/actions/{action.public_id}/messages/",
            {"body": f"Please confirm your RSVP at {EVIL}"},
        )

    assert response.status_code == 400
    page = response.content.decode()
    assert "This link is not allowed: " in page and "streetwave-login.example.com" in page
    assert not RelayMessage.objects.exists()
    assert not Message.objects.filter(kind="action.relay").exists() and mail.outbox == []
    with pytest.raises(DomainError):
        services.send_relay_message(action, body=f"See {EVIL}", actor=team.organizer)
    assert not RelayMessage.objects.exists()
