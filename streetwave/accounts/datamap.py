"""What organizer accounts keep about people (the data map: streetwave/core/datamap.py)."""

import datetime as dt

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from streetwave.core.datamap import ModelMap, Owned, Personal, register

from .models import User, UserSession

# Rows of ended sessions stay a day after the longest a session may last, for the owner's
# sessions page and sign-in notices, then go.
SESSION_ROW_RETENTION = dt.timedelta(days=1)


def _sessions_past_their_time(now: dt.datetime):
    oldest = now - dt.timedelta(seconds=settings.ORGANIZER_SESSION_MAX_AGE) - SESSION_ROW_RETENTION
    return UserSession.objects.filter(created_at__lt=oldest)


def _django_sessions_past_their_time(now: dt.datetime):
    return Session.objects.filter(expire_date__lt=now)


def _django_sessions_of(pk: int) -> Q:
    """Django's own session rows signed in as account `pk`: their data holds the account's id
    and sign-in address, so they go with the account. Only organizers sign in: these are few."""
    keys = [
        session.session_key
        for session in Session.objects.all()
        if session.get_decoded().get(SESSION_KEY) == str(pk)
    ]
    return Q(session_key__in=keys)


register(
    ModelMap(
        User,
        fields=[
            Personal(
                "email",
                _("sign-in address"),
                _("the account's owner; staff only for a recorded reason"),
                # Addresses are unique: a closed account's is replaced by one that reaches no
                # one (hubs.services.close_account), not blanked.
                erased=False,
                lives=_(
                    "while the account exists; replaced by an address that reaches no one when "
                    "its owner closes the account"
                ),
            ),
            Personal(
                "display_name",
                _("name shown to other organizers"),
                _("the organizers of the same hubs and campaigns"),
            ),
            Personal(
                "password",
                _("password hash"),
                _("nobody: an argon2id hash that never leaves the database"),
                exported=False,
            ),
        ],
        lives=_("while the account exists"),
        owners={"account": Owned("pk")},
    ),
    ModelMap(
        UserSession,
        fields=[
            Personal("device", _("browser and system"), _("the account's owner")),
            Personal(
                "key_hash",
                _("hash of the session key"),
                _("nobody"),
                exported=False,
            ),
        ],
        lives=_("a day after the session's 12-hour maximum age"),
        expires=_sessions_past_their_time,
        erase="delete",
        owners={"account": Owned("user")},
    ),
    ModelMap(
        Session,
        fields=[
            Personal(
                "session_data",
                _("a signed-in browser's session: the account and how it signed in"),
                _("nobody: read only by the server"),
                exported=False,
            ),
        ],
        not_personal={"session_key": _("a random key, the row's id")},
        lives=_("until the session expires (12 hours at most), or its account is closed"),
        expires=_django_sessions_past_their_time,
        erase="delete",
        owners={"account": Owned(_django_sessions_of)},
    ),
)
