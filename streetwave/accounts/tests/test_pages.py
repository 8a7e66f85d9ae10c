"""Account pages: right-to-left in Persian, no inline script, mails that carry no link."""

import re

import pytest
from django.test import Client

from streetwave.accounts.devices import device_label
from streetwave.accounts.models import UserSession
from streetwave.accounts.second_factor import AFTER_SETUP_SESSION_KEY
from streetwave.audit.models import AuditEntry

from .conftest import PASSWORD, reauthenticate, sign_in_with_password, totp_code

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
SCRIPT = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)


def executable_inline_scripts(html: str) -> list[str]:
    """Script tags the CSP (script-src 'self') would block: no src and not a JSON data block."""
    return [
        attrs for attrs in SCRIPT.findall(html)
        if "src=" not in attrs and 'type="application/json"' not in attrs
    ]  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/fa/accounts/login/", "/fa/accounts/password/reset/", "/fa/accounts/signup/"]
)
def test_persian_account_pages_are_right_to_left(client, path):
    response = client.get(path)

    assert response.status_code == 200
    assert '<html lang="fa" dir="rtl">' in response.content.decode()


@pytest.mark.django_db
def test_persian_organizer_pages_are_right_to_left(client, make_user, login, with_totp):
    user = make_user()
    secret = with_totp(user)
    login(client, user)
    reauthenticate(client, secret, language="fa")

    for path in ("/fa/accounts/sessions/", "/fa/accounts/2fa/", "/fa/accounts/2fa/webauthn/add/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert 'dir="rtl"' in response.content.decode(), path


@pytest.mark.django_db
def test_webauthn_pages_need_no_inline_script(client, make_user, login, with_totp):
    user = make_user()
    secret = with_totp(user)
    login(client, user)
    reauthenticate(client, secret)

    for html in (
        Client().get("/en/accounts/login/").content.decode(),
        client.get("/en/accounts/2fa/webauthn/add/").content.decode(),
    ):
        assert "/static/mfa/js/webauthn.js" in html
        assert executable_inline_scripts(html) == []


@pytest.mark.django_db(transaction=True)
def test_setting_up_totp_verifies_this_session_and_leads_back(client, make_user):
    # given an organizer signed in with a password only, sent to set up a factor by the gate
    from allauth.account.models import EmailAddress

    user = make_user(password=PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    sign_in_with_password(client, user.email)
    assert client.get("/en/accounts/sessions/")["Location"] == "/en/accounts/2fa/"

    # when they confirm their password and activate an authenticator app with a code from it
    client.post("/en/accounts/reauthenticate/", {"password": PASSWORD})
    page = client.get("/en/accounts/2fa/totp/activate/")
    secret = page.context["form"].secret
    activated = client.post("/en/accounts/2fa/totp/activate/", {"code": totp_code(secret)})

    # then they see their recovery codes with the way back, and organizer pages open
    codes = client.get(activated["Location"])
    assert client.session[AFTER_SETUP_SESSION_KEY] == "/en/accounts/sessions/"
    assert "/en/accounts/sessions/" in codes.content.decode()
    assert client.get("/en/accounts/sessions/").status_code == 200
    assert AuditEntry.objects.filter(verb="mfa.added", data={"type": "totp"}).exists()


@pytest.mark.django_db
def test_a_new_sign_in_is_announced_in_the_owners_language(
    make_organizer, with_totp, django_capture_on_commit_callbacks, mailoutbox
):
    user = make_organizer(language="de")
    secret = with_totp(user)
    client = Client(HTTP_USER_AGENT=FIREFOX)

    sign_in_with_password(client, user.email)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/en/accounts/2fa/authenticate/", {"code": totp_code(secret)})

    notice = mailoutbox[-1]
    assert notice.to == [user.email]
    assert "Firefox · Linux" in notice.body
    assert UserSession.objects.get(user=user).device == "Firefox · Linux"
    # rendered with the German catalogue active (the strings fall back to English until filled)
    assert "[Streetwave]" in notice.subject


@pytest.mark.django_db
def test_a_password_reset_ends_every_session(client, make_organizer, login, mailoutbox):
    user = make_organizer()
    elsewhere = login(Client(), user)

    client.post("/en/accounts/password/reset/", {"email": user.email})
    code = re.search(r"^\s*([A-Z0-9]{4,}(?:-[A-Z0-9]+)*)\s*$", mailoutbox[-1].body, re.M).group(1)
    confirmed = client.post("/en/accounts/password/reset/confirm/", {"code": code})
    new_password = "another horse battery staple"
    client.post(confirmed["Location"], {"password1": new_password, "password2": new_password})

    assert not UserSession.objects.open().filter(user=user).exists()
    assert elsewhere.get("/en/accounts/sessions/").status_code == 302
    assert AuditEntry.objects.filter(verb="account.password_reset").exists()
    # and the reset signed nobody in
    assert client.get("/en/accounts/sessions/")["Location"].startswith("/en/accounts/login/")


def test_device_labels_name_browser_and_system_only():
    iphone = (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
    )
    assert device_label(FIREFOX) == "Firefox · Linux"
    assert device_label(iphone) == "Mobile Safari · iOS"
    assert device_label("") == ""


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "fa"])
def test_every_account_page_renders(client, make_organizer, login, with_totp, language):
    user = make_organizer()
    secret = with_totp(user)
    login(client, user)
    reauthenticate(client, secret, language=language)
    pages = [
        "sessions/",
        "2fa/",
        "2fa/totp/deactivate/",
        "2fa/recovery-codes/",
        "2fa/recovery-codes/generate/",
        "2fa/webauthn/",
        "2fa/webauthn/add/",
        "password/change/",
        "email/",
        "logout/",
    ]

    for page in pages:
        response = client.get(f"/{language}/accounts/{page}")
        assert response.status_code == 200, page
        assert executable_inline_scripts(response.content.decode()) == [], page
