"""Broadcasts: coordinators of a campaign write to its hubs' leads and organizers, or to the
supporters who asked for the campaign's news, in several languages.

The broadcast channel is an asset in itself (DESIGN.md): one account must not be able to tell
hundreds of people that "the meeting point moved". So a broadcast that would reach more than
APPROVAL_THRESHOLD people waits for a second coordinator of the campaign, and one scheduled
for later is counted again when its time comes: if its audience grew past the threshold
meanwhile and nobody approved it, it is held then. Links may point only to the site and the
hosts the campaign allows. Each broadcast is queued in the outbox under the key
"broadcast:<id>", so it goes out exactly once whoever releases it.

Audit entries carry counts, never the text: what coordinators write stays out of the log.
"""

import datetime as dt
import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from streetwave.accounts.models import User
from streetwave.approvals.models import Approval
from streetwave.approvals.services import decide_held
from streetwave.audit.services import record
from streetwave.campaigns.models import Campaign
from streetwave.core.errors import Conflict, DomainError, NotAllowed
from streetwave.core.i18n import localize_digits
from streetwave.core.locking import lock
from streetwave.hubs.models import Hub
from streetwave.hubs.permissions import can
from streetwave.outbox.links import validate_links
from streetwave.outbox.services import queue_message

from . import audiences
from .models import APPROVAL_THRESHOLD, Acknowledgement, Broadcast

SUBJECT_MAX_LENGTH = 150
BODY_MAX_LENGTH = 10_000
# A host name of two labels or more ("example.org", "news.example.org"), in any script: a bare
# top-level domain would allow half the web.
HOST = re.compile(r"(?=.{1,253}$)(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+[^\W_][\w-]{0,61}[^\W_]")
# Scheduled broadcasts released per run of the beat task; more wait for the next minute.
DUE_LIMIT = 100


class TextsMissing(DomainError):
    default_message = _("Write a subject and a message in at least one language.")


class TextIncomplete(DomainError):
    """A language with a subject and no message, or a message and no subject."""


class TextTooLong(DomainError):
    """A subject or message over its length limit."""


class LinkNotAllowed(DomainError):
    """A link to a host that is neither the site nor on the campaign's allowlist."""


class UnknownAudience(DomainError):
    default_message = _("Choose who receives the broadcast.")


class UnknownLanguage(DomainError):
    default_message = _("Broadcasts can be written only in the languages of the site.")


class NoRecipients(DomainError):
    default_message = _(
        "Nobody would receive this broadcast now. Choose another audience, or schedule it for "
        "later, once people have signed up."
    )


class BroadcastNotCancellable(Conflict):
    default_message = _(
        "Only a broadcast that waits for approval or for its send time can be cancelled. This "
        "one has been sent or cancelled already."
    )


class NotReceived(NotAllowed):
    default_message = _("This hub did not receive this broadcast.")


class InvalidHost(DomainError):
    """An allowlist entry that is not a host name."""


def _language_name(code: str) -> str:
    return str(dict(settings.LANGUAGES).get(code, code))


def clean_texts(texts: dict[str, Any], campaign: Campaign) -> dict[str, dict[str, str]]:
    """`texts` ({language: {"subject", "body"}}) as stored: languages with neither left out,
    whitespace tidied, lengths and links checked. Errors name the form field to blame
    ("subject_<language>", "body_<language>")."""
    known = {code for code, _name in settings.LANGUAGES}
    allowlist = campaign.link_allowlist or []
    cleaned: dict[str, dict[str, str]] = {}
    for language, text in texts.items():
        if language not in known:
            raise UnknownLanguage()
        # One line: a subject is a mail header, where a line break is never harmless.
        subject = " ".join(str(text.get("subject") or "").split())
        body = str(text.get("body") or "").replace("\r\n", "\n").replace("\r", "\n").strip()
        if not subject and not body:
            continue
        names = {"language": _language_name(language)}
        if not subject or not body:
            raise TextIncomplete(
                _("Write both a subject and a message in %(language)s, or leave both empty.")
                % names,
                field=f"{'body' if subject else 'subject'}_{language}",
            )
        if len(subject) > SUBJECT_MAX_LENGTH:
            raise TextTooLong(
                _("The subject in %(language)s is longer than %(limit)s characters.")
                % {**names, "limit": localize_digits(SUBJECT_MAX_LENGTH)},
                field=f"subject_{language}",
            )
        if len(body) > BODY_MAX_LENGTH:
            raise TextTooLong(
                _("The message in %(language)s is longer than %(limit)s characters.")
                % {**names, "limit": localize_digits(BODY_MAX_LENGTH)},
                field=f"body_{language}",
            )
        for part, value in (("subject", subject), ("body", body)):
            try:
                validate_links(value, allowlist)
            except ValidationError as error:
                raise LinkNotAllowed(error.messages[0], field=f"{part}_{language}") from error
        cleaned[language] = {"subject": subject, "body": body}
    if not cleaned:
        raise TextsMissing()
    return cleaned


def _send(broadcast: Broadcast, recipients: list[str], now: dt.datetime) -> bool:
    """Queue the broadcast to `recipients` and mark it sent. False if it had been queued
    before (another run released it first): nothing is queued twice."""
    message = queue_message(
        "broadcast",
        recipients,
        key=f"broadcast:{broadcast.pk}",
        data={"broadcast": broadcast.pk},
        bulk=True,
    )
    if message is None:
        return False
    broadcast.status = Broadcast.Status.SENT
    broadcast.message = message
    broadcast.recipient_count = len(recipients)
    broadcast.sent_at = now
    broadcast.save(
        update_fields=[
            "status",
            "message",
            "recipient_count",
            "sent_at",
            # a broadcast released by its approval is saved sent and approved at once
            "approval",
            "approved_by",
            "approved_at",
            "updated_at",
        ]
    )
    return True


def _audit_fields(broadcast: Broadcast, **data: Any) -> dict[str, Any]:
    return {
        "target": broadcast,
        "data": {
            "campaign": broadcast.campaign.public_id,
            "audience": broadcast.audience,
            "recipients": broadcast.recipient_count,
            **data,
        },
    }


def _audit(verb: str, broadcast: Broadcast, *, actor: User | None = None, **data: Any) -> None:
    record(verb, actor=actor, **_audit_fields(broadcast, **data))


def create_broadcast(
    campaign: Campaign,
    *,
    audience: str,
    texts: dict[str, Any],
    send_at: dt.datetime | None = None,
    actor: User,
) -> Broadcast:
    """Write a broadcast of `campaign` to `audience`. It is held for a second coordinator when
    it would reach more than APPROVAL_THRESHOLD people, scheduled when `send_at` is in the
    future, and queued at once otherwise. Returns the broadcast in its new status."""
    if not can(actor, "can_broadcast", campaign):
        raise NotAllowed()
    if audience not in Broadcast.Audience.values:
        raise UnknownAudience(field="audience")
    texts = clean_texts(texts, campaign)
    now = timezone.now()
    later = send_at is not None and send_at > now
    with transaction.atomic():
        recipients = audiences.recipients(campaign, audience)
        if len(recipients) > APPROVAL_THRESHOLD:
            status = Broadcast.Status.HELD
        elif later:
            status = Broadcast.Status.SCHEDULED
        elif not recipients:
            raise NoRecipients(field="audience")
        else:
            status = Broadcast.Status.SENT
        broadcast = Broadcast.objects.create(
            campaign=campaign,
            audience=audience,
            texts=texts,
            send_at=send_at,
            requested_by=actor,
            status=status,
            # needing no second person, it is approved by nobody
            approval=Approval.HELD if status == Broadcast.Status.HELD else Approval.APPROVED,
            approved_at=None if status == Broadcast.Status.HELD else now,
            recipient_count=len(recipients),
        )
        if status == Broadcast.Status.SENT:
            _send(broadcast, recipients, now)
        _audit(f"broadcast.{status}", broadcast, actor=actor, languages=len(texts))
    return broadcast


def _release(broadcast: Broadcast) -> None:
    """What an approval sets off: the broadcast goes at its send time if that is still ahead,
    at once otherwise, to whoever is in the audience then."""
    now = timezone.now()
    if broadcast.send_at is not None and broadcast.send_at > now:
        broadcast.status = Broadcast.Status.SCHEDULED
        broadcast.save(update_fields=["status", "approval", "approved_by", "approved_at"])
    else:
        _send(broadcast, audiences.recipients(broadcast.campaign, broadcast.audience), now)


def approve_broadcast(broadcast: Broadcast, *, actor: User) -> Broadcast:
    """A second coordinator of the campaign releases a held broadcast."""
    return decide_held(
        Broadcast.objects.filter(pk=broadcast.pk).select_related("campaign"),
        decision="approve",
        actor=actor,
        may=lambda row: can(actor, "can_approve_broadcast", row.campaign),
        verb="broadcast.approved",
        then=_release,
        audit=lambda row: _audit_fields(row, status=row.status),
    )


def _cancel(broadcast: Broadcast) -> None:
    broadcast.status = Broadcast.Status.CANCELLED
    broadcast.save(update_fields=["status", "approval", "withdrawn_by", "withdrawn_at"])


def cancel_broadcast(broadcast: Broadcast, *, actor: User) -> Broadcast:
    """Call off a broadcast that waits for approval or for its time; a sent one stays sent. A
    held one is withdrawn (the two-person rule's own way out); a scheduled one nobody had to
    approve is withdrawn too; one a second coordinator approved stays approved, and cancelled."""
    with transaction.atomic():
        broadcast = lock(Broadcast.objects.filter(pk=broadcast.pk)).select_related("campaign").get()
        if not can(actor, "can_broadcast", broadcast.campaign):
            raise NotAllowed()
        if broadcast.status not in (Broadcast.Status.HELD, Broadcast.Status.SCHEDULED):
            raise BroadcastNotCancellable()
        was = broadcast.status
        if broadcast.is_held:
            broadcast = decide_held(
                Broadcast.objects.filter(pk=broadcast.pk).select_related("campaign"),
                decision="withdraw",
                actor=actor,
                may=lambda row: can(actor, "can_broadcast", row.campaign),
                verb="broadcast.cancelled",
                then=_cancel,
                audit=lambda row: _audit_fields(row, was=was),
            )
            return broadcast
        if broadcast.approved_by_id is None:
            broadcast.approval = Approval.WITHDRAWN
            broadcast.withdrawn_by = actor
            broadcast.withdrawn_at = timezone.now()
        broadcast.status = Broadcast.Status.CANCELLED
        broadcast.save(
            update_fields=["status", "approval", "withdrawn_by", "withdrawn_at", "updated_at"]
        )
        _audit("broadcast.cancelled", broadcast, actor=actor, was=was)
    return broadcast


def send_scheduled_broadcasts() -> int:
    """Release the scheduled broadcasts whose time has come (beat, every minute); returns how
    many were sent. Each is locked and looked at again inside its own transaction, and queued
    under its key, so two runs at once send each broadcast once."""
    now = timezone.now()
    due = list(
        Broadcast.objects.filter(status=Broadcast.Status.SCHEDULED, send_at__lte=now)
        .order_by("send_at", "id")
        .values_list("pk", flat=True)[:DUE_LIMIT]
    )
    sent = 0
    for pk in due:
        with transaction.atomic():
            broadcast = (
                lock(
                    Broadcast.objects.filter(
                        pk=pk, status=Broadcast.Status.SCHEDULED, send_at__lte=now
                    )
                )
                .select_related("campaign")
                .first()
            )
            if broadcast is None:
                continue
            recipients = audiences.recipients(broadcast.campaign, broadcast.audience)
            if broadcast.approved_by_id is None and len(recipients) > APPROVAL_THRESHOLD:
                # The audience grew past the threshold since it was written: the two-person
                # rule applies to whom it reaches now.
                broadcast.status = Broadcast.Status.HELD
                broadcast.approval = Approval.HELD
                broadcast.approved_at = None
                broadcast.recipient_count = len(recipients)
                broadcast.save(
                    update_fields=[
                        "status",
                        "approval",
                        "approved_at",
                        "recipient_count",
                        "updated_at",
                    ]
                )
                _audit("broadcast.held", broadcast, reason="audience_grew")
                continue
            if _send(broadcast, recipients, now):
                _audit("broadcast.sent", broadcast)
                sent += 1
    return sent


def acknowledge_broadcast(broadcast: Broadcast, *, hub: Hub, actor: User) -> Acknowledgement:
    """A lead or organizer of a hub that received `broadcast` confirms reading it. Once per
    person: a second confirmation (or one for another of their hubs) changes nothing."""
    if not can(actor, "can_acknowledge_broadcast", hub):
        raise NotAllowed()
    if not audiences.broadcasts_received_by(hub).filter(pk=broadcast.pk).exists():
        raise NotReceived()
    with transaction.atomic():
        acknowledgement, created = Acknowledgement.objects.get_or_create(
            broadcast=broadcast, user=actor, defaults={"hub": hub}
        )
        if created:
            record("broadcast.acknowledged", actor=actor, target=broadcast, hub=hub)
    return acknowledgement


def update_link_allowlist(campaign: Campaign, *, hosts: list[str], actor: User) -> Campaign:
    """Replace the hosts that messages of `campaign` may link to (besides the site's own)."""
    if not can(actor, "can_manage_link_allowlist", campaign):
        raise NotAllowed()
    cleaned = list(dict.fromkeys(host.strip().lower().rstrip(".") for host in hosts))
    cleaned = [host for host in cleaned if host]
    for host in cleaned:
        if not HOST.fullmatch(host):
            raise InvalidHost(
                _("“%(host)s” is not a host name such as example.org.") % {"host": host},
                field="hosts",
            )
    with transaction.atomic():
        campaign = lock(Campaign.objects.filter(pk=campaign.pk)).get()
        before = set(campaign.link_allowlist or [])
        campaign.link_allowlist = cleaned
        campaign.save(update_fields=["link_allowlist", "updated_at"])
        record(
            "campaign.link_allowlist_changed",
            actor=actor,
            target=campaign,
            data={
                "hosts": len(cleaned),
                "added": len(set(cleaned) - before),
                "removed": len(before - set(cleaned)),
            },
        )
    return campaign
