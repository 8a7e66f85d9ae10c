"""The code that writes accounts state: sessions, second factors, their audit rows.

Every signed-in session has a `UserSession` row, created at sign-in by `start_session`. The
session itself holds the row's public id and two timestamps (start, last request) that the
middleware checks; ending a session marks its row, and the middleware signs the browser out on
its next request. A session without a row was not started by a sign-in and is refused.

The admin writes here too: the reason a staff member gives before they see people's data
(DESIGN.md, privacy rule 1: "Staff access to people needs a recorded reason"). The admin's pages
(accounts.admin_privacy) call `open_personal_data`, the only place the reason is written, so
that a script reaching the same data has to give one too.
"""

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any, Protocol, cast

from allauth.account.internal.flows.login import get_authentication_records
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from streetwave.audit.models import AuditEntry
from streetwave.audit.services import record
from streetwave.core.errors import DomainError, NotAllowed
from streetwave.core.i18n import format_number
from streetwave.core.ids import hash_token
from streetwave.core.locking import lock
from streetwave.core.models import BaseModel
from streetwave.outbox.services import queue_message, recipient

from . import second_factor
from .devices import device_label
from .high_risk import account_at_risk
from .models import LAST_SEEN_STEP, User, UserSession

# Who did it: an account, or nobody (the system, a sign-in not yet complete).
Actor = User | AnonymousUser | None


class Invitation(Protocol):
    """What an account needs of an invitation to a hub or to coordinate a campaign
    (hubs.Invitation; hubs sits above accounts)."""

    email: str

    @property
    def hub(self) -> BaseModel | None: ...

    @property
    def campaign(self) -> BaseModel | None: ...


SESSION_ROW_KEY = "streetwave.session"
STARTED_AT_KEY = "streetwave.session_started_at"
SEEN_AT_KEY = "streetwave.session_seen_at"
# The idle clock in the session moves at most once a minute: no session write on every request.
SEEN_WRITE_INTERVAL = 60

END_MESSAGES = {
    UserSession.EndReason.IDLE.value: _(
        "You were signed out after a while without activity. Please sign in again."
    ),
    UserSession.EndReason.EXPIRED.value: _("Your session has ended. Please sign in again."),
    UserSession.EndReason.REVOKED.value: _("This session was ended. Please sign in again."),
}


def _rounded(moment: dt.datetime) -> dt.datetime:
    step = int(LAST_SEEN_STEP.total_seconds())
    return dt.datetime.fromtimestamp(int(moment.timestamp()) // step * step, tz=dt.UTC)


def _second_factor_used(request: HttpRequest, user: User) -> str | None:
    used = [
        entry.get("type")
        for entry in get_authentication_records(request, user)
        if entry.get("method") == "mfa"
    ]
    return used[-1] if used else None


def start_session(request: HttpRequest, user: User) -> UserSession:
    """Called right after a sign-in: track the new session and tell the owner about it."""
    now = timezone.now()
    # Old rows of the account's sessions go by the retention job (accounts/datamap.py).
    with transaction.atomic():
        session = UserSession.objects.create(
            user=user,
            key_hash=hash_token(request.session.session_key or ""),
            device=device_label(request.META.get("HTTP_USER_AGENT", "")),
            last_seen_at=_rounded(now),
        )
        factor = _second_factor_used(request, user)
        record("account.signed_in", actor=user, target=user, data={"second_factor": factor})
        record("session.started", actor=user, target=session)
        queue_message("account.sign_in", [recipient("user", user.pk)], data={"session": session.pk})
    stamp = time.time()
    request.session[SESSION_ROW_KEY] = session.public_id
    request.session[STARTED_AT_KEY] = stamp
    request.session[SEEN_AT_KEY] = stamp
    return session


def _end(session: UserSession, reason: str, *, actor: Actor) -> None:
    session.ended_at = timezone.now()
    session.end_reason = reason
    session.save(update_fields=["ended_at", "end_reason", "updated_at"])
    record("session.ended", actor=actor, target=session, data={"reason": reason})


def end_current_session(request: HttpRequest, *, reason: str) -> None:
    """Mark this browser's session ended (signing out is then the caller's business)."""
    public_id = request.session.get(SESSION_ROW_KEY)
    user = request.user
    if public_id is None or not user.is_authenticated:
        return
    with transaction.atomic():
        session = UserSession.objects.open().filter(public_id=public_id, user=user).first()
        if session is not None:
            _end(session, reason, actor=user)


def _sign_out(request: HttpRequest, session: UserSession | None, reason: str) -> None:
    if session is not None:
        with transaction.atomic():
            _end(session, reason, actor=request.user)
    logout(request)
    messages.warning(request, END_MESSAGES[reason])


def session_max_age(*, at_risk: bool) -> int:
    """How long a session lives in all, in seconds: HIGH_RISK_SESSION_AGE for a member of a
    hub in a high-risk country (settings.py says why), ORGANIZER_SESSION_MAX_AGE otherwise."""
    return settings.HIGH_RISK_SESSION_AGE if at_risk else settings.ORGANIZER_SESSION_MAX_AGE


def enforce_session_limits(request: HttpRequest) -> None:
    """Sign the browser out when its session was ended elsewhere, idled or grew too old;
    otherwise note that it was seen. The middleware runs this on every signed-in request."""
    session_data = request.session
    public_id = session_data.get(SESSION_ROW_KEY)
    started_at = session_data.get(STARTED_AT_KEY)
    seen_at = session_data.get(SEEN_AT_KEY)
    session = None
    if public_id is not None:
        # Whether the account belongs to a hub in a high-risk country, asked with the row on
        # every request (no query more): a membership given or a country marked mid-session
        # shortens the session from the next request.
        session = (
            UserSession.objects.open()
            .filter(public_id=public_id, user=request.user)
            .annotate(at_risk=account_at_risk())
            .first()
        )
    now = time.time()
    if session is None or started_at is None or seen_at is None:
        _sign_out(request, session, UserSession.EndReason.REVOKED)
        return
    if now - started_at > session_max_age(at_risk=session.at_risk):
        _sign_out(request, session, UserSession.EndReason.EXPIRED)
        return
    if now - seen_at > settings.ORGANIZER_IDLE_TIMEOUT:
        _sign_out(request, session, UserSession.EndReason.IDLE)
        return
    if now - seen_at >= SEEN_WRITE_INTERVAL:
        session_data[SEEN_AT_KEY] = now
    key_hash = hash_token(session_data.session_key or "")
    last_seen_at = _rounded(timezone.now())
    if session.key_hash != key_hash or session.last_seen_at != last_seen_at:
        # Django gives a session a new key at sign-in and on password change: follow it.
        UserSession.objects.filter(pk=session.pk).update(
            key_hash=key_hash, last_seen_at=last_seen_at
        )


def end_other_sessions(user: User, *, keep_session_key: str | None = None, actor: Actor) -> int:
    """End every open session of `user` except the one with `keep_session_key`."""
    with transaction.atomic():
        sessions = UserSession.objects.open().filter(user=user)
        if keep_session_key:
            sessions = sessions.exclude(key_hash=hash_token(keep_session_key))
        ended = sessions.update(ended_at=timezone.now(), end_reason=UserSession.EndReason.REVOKED)
        record("session.others_ended", actor=actor, target=user, data={"count": ended})
    return ended


def end_all_sessions(user: User, *, actor: Actor) -> int:
    """End every open session of `user`, e.g. when a role is taken away from them."""
    with transaction.atomic():
        ended = (
            UserSession.objects.open()
            .filter(user=user)
            .update(ended_at=timezone.now(), end_reason=UserSession.EndReason.REVOKED)
        )
        record("session.all_ended", actor=actor, target=user, data={"count": ended})
    return ended


def _keep_this_session(request: HttpRequest) -> str | None:
    """The current session key, with its row brought up to date first (the key may have just
    changed), so that ending the others never ends this one."""
    key = request.session.session_key
    public_id = request.session.get(SESSION_ROW_KEY)
    if key and public_id:
        UserSession.objects.filter(public_id=public_id).update(key_hash=hash_token(key))
    return key


def end_sessions_elsewhere(request: HttpRequest) -> int:
    """The "sign out everywhere else" button."""
    user = cast(User, request.user)
    return end_other_sessions(user, keep_session_key=_keep_this_session(request), actor=user)


def note_authenticator_added(request: HttpRequest, authenticator: Authenticator) -> None:
    """A new factor: this session proved it holds it; sessions elsewhere signed in without it."""
    with transaction.atomic():
        record(
            "mfa.added",
            actor=request.user,
            target=authenticator.user,
            data={"type": authenticator.type},
        )
        if authenticator.type in second_factor.PRIMARY_TYPES:
            second_factor.record_verified(request, authenticator)
            end_other_sessions(
                authenticator.user, keep_session_key=_keep_this_session(request), actor=request.user
            )


def note_authenticator_removed(request: HttpRequest, authenticator: Authenticator) -> None:
    """A factor gone may be a factor lost: no other session keeps what it may have opened."""
    with transaction.atomic():
        record(
            "mfa.removed",
            actor=request.user,
            target=authenticator.user,
            data={"type": authenticator.type},
        )
        if authenticator.type in second_factor.PRIMARY_TYPES:
            end_other_sessions(
                authenticator.user, keep_session_key=_keep_this_session(request), actor=request.user
            )


def note_recovery_codes_replaced(request: HttpRequest, authenticator: Authenticator) -> None:
    record("mfa.recovery_codes_replaced", actor=request.user, target=authenticator.user)


def note_password_set(request: HttpRequest, user: User) -> None:
    """Whoever knew the old password keeps no session: after a reset (signed out) all of them
    end, after a change all but the one that changed it."""
    with transaction.atomic():
        if request.user.is_authenticated and request.user.pk == user.pk:
            record("account.password_changed", actor=user, target=user)
            end_other_sessions(user, keep_session_key=_keep_this_session(request), actor=user)
        else:
            record("account.password_reset", actor=None, target=user)
            end_all_sessions(user, actor=None)


def activate_totp(user: User, secret: str, *, actor: Actor) -> Authenticator:
    """Give an account an authenticator app with a known secret (demo accounts, tests); people
    set theirs up through allauth's pages instead."""
    with transaction.atomic():
        authenticator = TOTP.activate(user, secret).instance
        if not Authenticator.objects.filter(
            user=user, type=Authenticator.Type.RECOVERY_CODES
        ).exists():
            RecoveryCodes.activate(user)
        record("mfa.added", actor=actor, target=user, data={"type": authenticator.type})
    return authenticator


def create_invited_account(
    invitation: Invitation, *, password: str, display_name: str, language: str
) -> User:
    """The account of someone who opened an invitation. Its address counts as verified: the
    invitation's secret link was sent there. The membership waits for the second factor."""
    with transaction.atomic():
        user = User.objects.create_user(
            invitation.email, password, display_name=display_name, language=language
        )
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        # A hub's invitation, or a campaign's (a coordinator's): the one it came from.
        if invitation.campaign is not None:
            data = {"campaign": invitation.campaign.public_id}
        else:
            data = {"hub": invitation.hub.public_id if invitation.hub is not None else ""}
        record("account.created", actor=user, target=user, data=data)
    return user


class NotAnEmailAddress(DomainError):
    default_message = _("Enter a valid email address.")


class WeakPassword(DomainError):
    """The password validators' reasons, each already translated, in `reasons`."""

    default_message = _("This password is too weak.")

    def __init__(self, reasons: list[str]) -> None:
        super().__init__(" ".join(reasons), field="password")
        self.reasons = reasons


class PasswordRequired(DomainError):
    default_message = _("A new account needs a password.")


class AccountClosed(DomainError):
    default_message = _("This account is closed: an operator must be an open account.")


@dataclass(frozen=True)
class Appointment:
    """What `appoint_operator` did: `created` a new account, `appointed` an existing one, or
    nothing because the account was an operator already."""

    user: User
    created: bool
    appointed: bool


def check_operator_password(password: str, *, email: str) -> None:
    """Django's password validators (AUTH_PASSWORD_VALIDATORS) for a new operator's password,
    as a `WeakPassword` naming every reason; the command asks this before it writes anything."""
    try:
        validate_password(password, User(email=email))
    except ValidationError as error:
        raise WeakPassword([str(message) for message in error.messages]) from error


def appoint_operator(
    email: str, *, password: str | None, language: str | None = None, actor: Actor
) -> Appointment:
    """Make the account of `email` an operator of the instance (`User.is_operator`), creating
    it with `password` when there is none. Idempotent: an operator already is left as is, and an
    existing account keeps its password. The address of a new account counts as verified: whoever
    runs the instance typed it. Like every organizer, the operator adds a second factor at the
    first sign-in (accounts.decorators.organizer_required).

    Only the instance's own shell calls this (`manage.py create_operator`, actor None): there is
    no page for it, and accounts sit below the permission policy."""
    email = User.objects.normalize_email(email.strip()).lower()
    try:
        validate_email(email)
    except ValidationError as error:
        raise NotAnEmailAddress(field="email") from error
    with transaction.atomic():
        user = lock(User.objects.filter(email=email)).first()
        if user is None:
            if not password:
                raise PasswordRequired(field="password")
            check_operator_password(password, email=email)
            user = User.objects.create_user(
                email, password, language=language or settings.LANGUAGE_CODE, is_operator=True
            )
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
            record("account.created", actor=actor, target=user, data={"operator": True})
            record("operator.appointed", actor=actor, target=user, data={"created": True})
            return Appointment(user, created=True, appointed=True)
        if not user.is_active:
            raise AccountClosed(field="email")
        if user.is_operator:
            return Appointment(user, created=False, appointed=False)
        user.is_operator = True
        user.save(update_fields=["is_operator"])
        record("operator.appointed", actor=actor, target=user, data={"created": False})
        return Appointment(user, created=False, appointed=True)


# Long enough that "x" or "check" is not a reason; short enough to write "support request of
# the hub in Leipzig".
REASON_MIN_LENGTH = 15
REASON_MAX_LENGTH = 500


class ReasonTooShort(DomainError):
    pass


def open_personal_data(
    model: type[models.Model],
    *,
    reason: str,
    actor: AbstractBaseUser | AnonymousUser,
) -> AuditEntry:
    """Record that `actor`, a staff member, opens the admin's pages of `model` (which show
    people's data) for `reason`. Refused to anyone who may not view those pages."""
    opts = model._meta
    if not _may_view(actor, opts.app_label, opts.model_name or ""):
        raise NotAllowed()
    reason = " ".join(reason.split())
    if len(reason) < REASON_MIN_LENGTH:
        raise ReasonTooShort(
            gettext(
                "Say in a few words why you need to see this data: at least %(count)s characters."
            )
            % {"count": format_number(REASON_MIN_LENGTH)},
            field="reason",
        )
    with transaction.atomic():
        return record(
            "admin.personal_data_opened",
            actor=actor,
            data={"model": opts.label_lower, "reason": reason[:REASON_MAX_LENGTH]},
        )


def _may_view(actor: Any, app_label: str, model_name: str) -> bool:
    if not (actor.is_authenticated and actor.is_active and actor.is_staff):
        return False
    return bool(
        actor.has_perm(f"{app_label}.view_{model_name}")
        or actor.has_perm(f"{app_label}.change_{model_name}")
    )
