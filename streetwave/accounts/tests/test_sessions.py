"""Sessions: listed, ended from elsewhere, ended by a changed factor, timed out."""

import time

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client

from streetwave.accounts.models import UserSession
from streetwave.accounts.services import SEEN_AT_KEY, STARTED_AT_KEY, end_all_sessions
from streetwave.audit.models import AuditEntry

from .conftest import totp_code

pytestmark = pytest.mark.django_db

SESSIONS = "/en/accounts/sessions/"


def signed_out(client) -> bool:
    response = client.get(SESSIONS)
    return response.status_code == 302 and response["Location"].startswith("/en/accounts/login/")


def set_age(client, key, seconds):
    """Move a session timestamp `seconds` into the past: time travel without sleeping."""
    session = client.session
    session[key] = time.time() - seconds
    session.save()


def test_the_sessions_page_lists_both_browsers(make_user, login):
    user = make_user()
    laptop, phone = login(Client(), user), login(Client(), user)

    response = laptop.get(SESSIONS)

    assert response.status_code == 200
    assert len(response.context["sessions"]) == 2
    assert "this session" in response.content.decode()
    assert phone.get(SESSIONS).status_code == 200


def test_sign_out_everywhere_else_ends_the_other_browser_only(make_user, login):
    # given one account signed in on two browsers
    user = make_user()
    laptop, phone = login(Client(), user), login(Client(), user)

    # when the laptop signs out everywhere else
    response = laptop.post(SESSIONS)

    # then the phone is signed out at its next request, the laptop stays
    assert response.status_code == 302
    assert signed_out(phone)
    assert laptop.get(SESSIONS).status_code == 200
    assert UserSession.objects.open().filter(user=user).count() == 1
    ended = AuditEntry.objects.get(verb="session.others_ended")
    assert ended.data == {"count": 1}


def test_end_all_sessions_signs_every_browser_out(make_user, login):
    user = make_user()
    laptop, phone = login(Client(), user), login(Client(), user)

    assert end_all_sessions(user, actor=None) == 2

    assert signed_out(laptop)
    assert signed_out(phone)


def test_removing_an_authenticator_ends_the_other_sessions(make_user, login, with_totp):
    # given an account with an authenticator app and a security key, on two browsers
    user = make_user()
    secret = with_totp(user)
    laptop, phone = login(Client(), user), login(Client(), user)
    Authenticator.objects.create(user=user, type=Authenticator.Type.WEBAUTHN, data={})

    # when the laptop confirms it is them, then removes the authenticator app
    laptop.post("/en/accounts/2fa/reauthenticate/", {"code": totp_code(secret)})
    response = laptop.post("/en/accounts/2fa/totp/deactivate/")

    # then it is gone, and the phone (which signed in with it) is signed out
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=user, type="totp").exists()
    assert signed_out(phone)
    assert AuditEntry.objects.filter(verb="mfa.removed", data={"type": "totp"}).exists()
    # the laptop stays signed in, but verified it with the app it just removed: it confirms anew
    assert laptop.get(SESSIONS)["Location"].startswith("/en/accounts/2fa/webauthn/reauthenticate/")


def test_the_last_second_factor_cannot_be_removed(make_user, login, with_totp):
    user = make_user()
    secret = with_totp(user)
    client = login(Client(), user)
    client.post("/en/accounts/2fa/reauthenticate/", {"code": totp_code(secret)})

    client.post("/en/accounts/2fa/totp/deactivate/")

    assert Authenticator.objects.filter(user=user, type="totp").exists()


def test_idle_sessions_end_after_thirty_minutes(make_user, login, settings):
    user = make_user()
    client = login(Client(), user)
    set_age(client, SEEN_AT_KEY, settings.ORGANIZER_IDLE_TIMEOUT - 60)
    assert client.get(SESSIONS).status_code == 200

    set_age(client, SEEN_AT_KEY, settings.ORGANIZER_IDLE_TIMEOUT + 60)

    assert signed_out(client)
    assert UserSession.objects.get(user=user).end_reason == "idle"


def test_an_active_session_still_ends_after_twelve_hours(make_user, login, settings):
    user = make_user()
    client = login(Client(), user)
    set_age(client, STARTED_AT_KEY, settings.ORGANIZER_SESSION_MAX_AGE + 1)

    assert signed_out(client)
    assert UserSession.objects.get(user=user).end_reason == "expired"


def test_activity_keeps_the_idle_clock_moving(make_user, login, settings):
    user = make_user()
    client = login(Client(), user)
    set_age(client, SEEN_AT_KEY, settings.ORGANIZER_IDLE_TIMEOUT - 60)

    client.get(SESSIONS)

    assert time.time() - client.session[SEEN_AT_KEY] < 60


def test_signing_out_ends_the_row(make_user, login):
    user = make_user()
    client = login(Client(), user)

    client.post("/en/accounts/logout/")

    assert UserSession.objects.get(user=user).end_reason == "signed_out"
    assert signed_out(client)
