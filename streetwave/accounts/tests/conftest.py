import re

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, generate_totp_secret, hotp_value
from django.core import mail
from django.core.cache import cache

PASSWORD = "correct horse battery staple"
# A link that opens anything but an invitation (which hubs send, and which signs nobody in).
URL = re.compile(r"https?://\S+")


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate limits live in the cache; each test starts with none used."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _no_links_in_account_mail():
    """Every mail the account flows send, in every test here: no link, so none to sign in."""
    yield
    for message in mail.outbox:
        links = [link for link in URL.findall(message.body) if "/accounts/invitation/" not in link]
        assert links == [], (message.subject, links)


@pytest.fixture
def make_organizer(make_user):
    """An account as invitations leave it: a verified, primary address."""
    from allauth.account.models import EmailAddress

    def make(email=None, **extra):
        user = make_user(email, password=PASSWORD, **extra)
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        return user

    return make


@pytest.fixture
def with_totp():
    from streetwave.accounts.services import activate_totp

    def give(user):
        secret = generate_totp_secret()
        activate_totp(user, secret, actor=user)
        return secret

    return give


def totp_code(secret: str, *, step: int = 0) -> str:
    import time

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + step))


def sign_in_with_password(client, email, password=PASSWORD, language="en"):
    return client.post(f"/{language}/accounts/login/", {"login": email, "password": password})


def reauthenticate(client, secret: str, language="en"):
    """Confirm with the authenticator app, as pages that change the account ask first."""
    return client.post(f"/{language}/accounts/2fa/reauthenticate/", {"code": totp_code(secret)})
