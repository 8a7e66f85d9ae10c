"""The organizer gate: signed in, a second factor, and this session verified with it."""

import pytest
from allauth.mfa.models import Authenticator
from django.http import HttpResponse
from django.test import RequestFactory

from streetwave.accounts.decorators import organizer_required
from streetwave.accounts.second_factor import AFTER_SETUP_SESSION_KEY
from streetwave.audit.models import AuditEntry

from .conftest import sign_in_with_password, totp_code

pytestmark = pytest.mark.django_db

SESSIONS = "/en/accounts/sessions/"


@organizer_required
def organizer_page(request):
    return HttpResponse("organizer page")


def through_gate(client, user):
    """The test-only organizer page, behind the real decorator, with the client's session."""
    request = RequestFactory().get("/en/manage/test/")
    request.user = user
    request.session = client.session
    return organizer_page(request)


def test_anonymous_is_sent_to_sign_in(client):
    from django.contrib.auth.models import AnonymousUser

    response = through_gate(client, AnonymousUser())

    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/login/?next=")


def test_signed_in_without_a_second_factor_reaches_no_organizer_page(client, make_organizer):
    # given an organizer who signed in with the right password but has no second factor
    user = make_organizer()
    response = sign_in_with_password(client, user.email)
    assert response.status_code == 302

    # when they open an organizer page
    gated = through_gate(client, user)
    sessions = client.get(SESSIONS)

    # then both send them to set one up, and neither shows the page
    assert gated.status_code == 302 and gated["Location"] == "/en/accounts/2fa/"
    assert sessions.status_code == 302 and sessions["Location"] == "/en/accounts/2fa/"


def test_a_factor_not_used_in_this_session_asks_to_reauthenticate(
    client, make_organizer, with_totp
):
    # given an account that signed in with a password only, before its factor was added
    user = make_organizer()
    sign_in_with_password(client, user.email)
    with_totp(user)

    # when it opens an organizer page
    response = through_gate(client, user)

    # then it must first confirm with the factor
    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/2fa/reauthenticate/?next=")


def test_password_then_totp_opens_organizer_pages(client, make_organizer, with_totp, mailoutbox):
    # given an organizer with an authenticator app
    user = make_organizer()
    secret = with_totp(user)

    # when they sign in with the password, then the code of the app
    first = sign_in_with_password(client, user.email)
    assert first["Location"] == "/en/accounts/2fa/authenticate/"
    assert client.get(SESSIONS).status_code == 302  # not signed in between the two steps
    second = client.post("/en/accounts/2fa/authenticate/", {"code": totp_code(secret)})

    # then organizer pages open, the sign-in is audited and announced
    assert second.status_code == 302
    assert through_gate(client, user).status_code == 200
    assert client.get(SESSIONS).status_code == 200
    verbs = set(AuditEntry.objects.values_list("verb", flat=True))
    assert {"account.signed_in", "session.started"} <= verbs
    signed_in = AuditEntry.objects.get(verb="account.signed_in")
    assert signed_in.data == {"second_factor": "totp"}


def test_a_wrong_code_opens_nothing(client, make_organizer, with_totp):
    user = make_organizer()
    secret = with_totp(user)
    sign_in_with_password(client, user.email)
    wrong = f"{(int(totp_code(secret)) + 1) % 1_000_000:06d}"

    response = client.post("/en/accounts/2fa/authenticate/", {"code": wrong})

    assert response.status_code == 200
    assert client.get(SESSIONS).status_code == 302


def test_the_login_fixture_gives_a_verified_session(client, make_user, login):
    user = make_user()

    login(client, user)

    assert Authenticator.objects.filter(user=user, type="totp").exists()
    assert through_gate(client, user).status_code == 200
    assert client.get(SESSIONS).status_code == 200


def test_force_login_alone_is_not_a_session(client, make_user):
    # a session not started by a sign-in is not tracked, cannot be listed or ended: refused
    user = make_user()
    client.force_login(user)

    response = client.get(SESSIONS)

    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/login/")


def test_admin_needs_the_second_factor(client, make_organizer, login):
    # given a staff account signed in with its password only
    staff = make_organizer(is_staff=True, is_superuser=True)
    sign_in_with_password(client, staff.email)

    # then the admin does not open
    response = client.get("/en/admin/", follow=True)
    assert response.redirect_chain[-1][0] == "/en/accounts/2fa/"

    # and with the second factor verified, it does
    login(client, staff)
    assert client.get("/en/admin/").status_code == 200


# Where a phishing mail would send an organizer after a real sign-in: another site, written in
# each way a browser reads as another site, and a script.
FOREIGN_NEXT = [
    "https://evil.example/en/admin/",
    "//evil.example/en/admin/",
    "/\\evil.example/en/admin/",
    "javascript:alert(1)",
]


@pytest.mark.parametrize("next_url", FOREIGN_NEXT)
def test_the_admin_sign_in_sends_a_verified_account_nowhere_else(
    client, make_organizer, login, next_url
):
    # given a staff account whose session is verified with its second factor
    staff = make_organizer(is_staff=True, is_superuser=True)
    login(client, staff)

    # when it follows an admin sign-in link whose `next` leads to another site
    response = client.get("/en/admin/login/", {"next": next_url})

    # then it lands on the admin's index
    assert response.status_code == 302
    assert response["Location"] == "/en/admin/"


def test_the_admin_sign_in_keeps_https_on_a_secure_request(client, make_organizer, login):
    staff = make_organizer(is_staff=True, is_superuser=True)
    login(client, staff)

    downgraded = client.get(
        "/en/admin/login/", {"next": "http://testserver/en/admin/auth/"}, secure=True
    )
    same_site = client.get("/en/admin/login/", {"next": "/en/admin/auth/"}, secure=True)

    assert downgraded["Location"] == "/en/admin/"
    assert same_site["Location"] == "/en/admin/auth/"


@pytest.mark.parametrize("next_url", FOREIGN_NEXT)
def test_the_admin_sign_in_stores_no_foreign_continue_link(client, make_organizer, next_url):
    # given a staff account signed in with its password only, and no second factor yet
    staff = make_organizer(is_staff=True, is_superuser=True)
    sign_in_with_password(client, staff.email)

    # when it follows an admin sign-in link whose `next` leads to another site
    response = client.get("/en/admin/login/", {"next": next_url})
    setup = client.get(response["Location"])

    # then it is sent to set up a factor, and the way back afterwards is the admin
    assert response["Location"] == "/en/accounts/2fa/"
    assert client.session[AFTER_SETUP_SESSION_KEY] == "/en/admin/"
    assert "evil.example" not in setup.content.decode()


@pytest.mark.parametrize("next_url", FOREIGN_NEXT)
def test_the_admin_sign_in_asks_to_reauthenticate_towards_this_site_only(
    client, make_organizer, with_totp, next_url
):
    # given a staff account with a factor that this session has not used
    staff = make_organizer(is_staff=True, is_superuser=True)
    sign_in_with_password(client, staff.email)
    with_totp(staff)

    # when it follows an admin sign-in link whose `next` leads to another site
    response = client.get("/en/admin/login/", {"next": next_url})

    # then it must confirm with the factor, and is then sent back to the admin
    assert response["Location"] == "/en/accounts/2fa/reauthenticate/?next=%2Fen%2Fadmin%2F"


def test_a_foreign_continue_link_kept_in_a_session_is_not_shown(client, make_organizer, with_totp):
    # given a session that holds a continue link to another site (stored before it was checked)
    # and an account that has just set up its factor
    user = make_organizer()
    sign_in_with_password(client, user.email)
    with_totp(user)
    session = client.session
    session[AFTER_SETUP_SESSION_KEY] = "https://evil.example/"
    session.save()

    # when the account opens its second-factor page, which offers the way back
    page = client.get("/en/accounts/2fa/")

    # then the page offers no way there
    assert page.status_code == 200
    assert "Recovery codes" in page.content.decode()
    assert "evil.example" not in page.content.decode()
