"""Is this session second-factor verified? The one answer the organizer gate and the admin ask.

allauth keeps, in the session, a record of every way the session authenticated (password, an
authenticator at sign-in, a re-authentication). A session counts as verified when one of those
records names an authenticator the account still has. Removing the factor a session signed in
with therefore takes that session back to the re-authentication page.
"""

from allauth.account.internal.flows.login import (
    get_authentication_records,
    record_authentication,
)
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.http import urlencode

from .next_url import safe_next_url

# Recovery codes only stand in for a lost device: on their own they are not a second factor.
PRIMARY_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)

# Where the gate sends someone back once their second factor is set up.
AFTER_SETUP_SESSION_KEY = "streetwave.after_second_factor_setup"


def has_second_factor(user) -> bool:
    return Authenticator.objects.filter(user_id=user.pk, type__in=PRIMARY_TYPES).exists()


def is_session_verified(request: HttpRequest) -> bool:
    user = request.user
    if not user.is_authenticated:
        return False
    authenticators = dict(Authenticator.objects.filter(user_id=user.pk).values_list("pk", "type"))
    if not any(kind in PRIMARY_TYPES for kind in authenticators.values()):
        return False
    for entry in get_authentication_records(request, user):
        if entry.get("method") != "mfa":
            continue
        # New recovery codes get a new row, yet the session that used the old ones is the same.
        if (
            entry.get("id") in authenticators
            or entry.get("type") == Authenticator.Type.RECOVERY_CODES
        ):
            return True
    return False


def record_verified(request: HttpRequest, authenticator: Authenticator) -> None:
    """The session that just set up a factor proved it holds it, as a sign-in would have."""
    record_authentication(
        request, authenticator.user, "mfa", id=authenticator.pk, type=authenticator.type
    )


def second_factor_redirect_url(request: HttpRequest, next_url: str) -> str:
    """Where a signed-in account goes when its session is not second-factor verified, to be
    sent on to `next_url` afterwards (if that is on this site)."""
    next_url = safe_next_url(request, next_url, fallback=resolve_url(settings.LOGIN_REDIRECT_URL))
    if not has_second_factor(request.user):
        request.session[AFTER_SETUP_SESSION_KEY] = next_url
        return reverse("mfa_index")
    types = set(
        Authenticator.objects.filter(user_id=request.user.pk).values_list("type", flat=True)
    )
    name = (
        "mfa_reauthenticate" if Authenticator.Type.TOTP in types else "mfa_reauthenticate_webauthn"
    )
    return f"{reverse(name)}?{urlencode({REDIRECT_FIELD_NAME: next_url})}"
