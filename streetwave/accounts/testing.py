"""Test support: a client signed in as a real sign-in with a second factor would leave it.

Used by the `login` fixture in conftest.py, so every test of an organizer page starts from the
same state a person reaches through the sign-in pages (those pages are tested in accounts).
"""

import time

from allauth.account.internal.flows.login import (
    _AUTHENTICATION_METHODS_USER_SESSION_KEY,
    AUTHENTICATION_METHODS_SESSION_KEY,
)
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import generate_totp_secret
from django.utils import timezone

from streetwave.core.ids import hash_token

from .models import UserSession
from .second_factor import PRIMARY_TYPES
from .services import SEEN_AT_KEY, SESSION_ROW_KEY, STARTED_AT_KEY, activate_totp


def sign_in_verified(client, user):
    """Give `user` an authenticator app if they have no second factor, and sign `client` in as
    if through the password and second-factor pages. Returns the client."""
    authenticator = Authenticator.objects.filter(user=user, type__in=PRIMARY_TYPES).first()
    if authenticator is None:
        authenticator = activate_totp(user, generate_totp_secret(), actor=user)
    client.force_login(user)
    session = client.session
    row = UserSession.objects.create(
        user=user,
        key_hash=hash_token(session.session_key),
        device="Test · Test",
        last_seen_at=timezone.now(),
    )
    now = time.time()
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": now, "email": user.email},
        {"method": "mfa", "at": now, "id": authenticator.pk, "type": authenticator.type},
    ]
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
    session[SESSION_ROW_KEY] = row.public_id
    session[STARTED_AT_KEY] = now
    session[SEEN_AT_KEY] = now
    session.save()
    return client
