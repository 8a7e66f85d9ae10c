"""RSVPs: create, update, cancel, take back a cancel, promote from the waitlist, erase after
the retention period.

The RSVP path is one short transaction: a conditional atomic increment claims a seat (so
capacity is never oversold under concurrency, without locking the action for longer than the
transaction), one insert, one counter shard increment, one audit row. Neither the answer nor
anything else anyone can see reveals whether a contact had already RSVPed.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from streetwave.accounts.models import User
from streetwave.audit.services import record
from streetwave.campaigns.models import CampaignCounter
from streetwave.core.crypto import blind_index
from streetwave.core.errors import Conflict, DomainError
from streetwave.core.ids import hash_token, new_token
from streetwave.core.locking import lock
from streetwave.core.mail import absolute_url
from streetwave.outbox.services import queue_message, recipient

from ..models import RSVP, Action

# Supporters have no account: their RSVPs are made by nobody, or by an anonymous visitor.
Supporter = User | AnonymousUser | None

CONSENT_VERSION = "2026-11"
# The same address for the same action again within this many seconds is the same request sent
# again (a double click, a resend), not a second RSVP.
REPLAY_SECONDS = 10


class RSVPClosed(Conflict):
    """The request is sound; the action's state refuses it (cancelled, over, its campaign
    closed): a conflict with the state of the resource (409 in the API)."""

    default_message = _("This action no longer takes RSVPs.")


class NoRSVPInside(DomainError):
    default_message = _(
        "Actions in this country take no RSVPs: nobody's name or address is kept for them."
    )


class ConsentMissing(DomainError):
    default_message = _("Please confirm that you have read how your data is used.")


@dataclass(frozen=True)
class RSVPReceipt:
    """What the person who RSVPed may learn. `token` is set only when no email was given (the
    page takes them to their manage link); with an email, the manage link goes to that address
    instead, so the answer is the same whether or not the address had RSVPed before. `status`
    (going or waitlisted) depends on the action's seats alone; it is None only for a request
    sent again while its first copy is still being answered."""

    action: Action
    token: str | None
    emailed: bool
    status: RSVP.Status | None = None


def _claim_seat(action_id: int) -> bool:
    """Atomically take one seat if one is free."""
    return bool(
        Action.objects.filter(pk=action_id)
        .filter(Q(capacity__isnull=True) | Q(going_count__lt=F("capacity")))
        .update(going_count=F("going_count") + 1)
    )


def _seat_or_waitlist(action_id: int) -> RSVP.Status:
    """GOING with a seat taken, or WAITLISTED. A claim that fails locks nothing, so a cancel
    committing before this RSVP is inserted would promote nobody and leave it waiting beside a
    free seat. Before joining the waitlist the action's row is locked and the claim tried again:
    a cancel either committed before (its seat is claimed now) or waits for this transaction
    and finds this RSVP on the waitlist. Only full actions pay for the lock."""
    if _claim_seat(action_id):
        return RSVP.Status.GOING
    lock(Action.objects.filter(pk=action_id)).values_list("pk").get()
    return RSVP.Status.GOING if _claim_seat(action_id) else RSVP.Status.WAITLISTED


def _bump(action: Action, *, seat_claimed: bool = False, **deltas: int) -> None:
    """Add deltas (going=1, waitlisted=-1, ...) to the action's counters and its campaign's.
    With `seat_claimed`, the seat claim has added the going one to the action already."""
    on_action = {
        f"{name}_count": F(f"{name}_count") + delta
        for name, delta in deltas.items()
        if delta and not (seat_claimed and name == "going")
    }
    if on_action:
        Action.objects.filter(pk=action.pk).update(**on_action)
    if action.campaign_id:
        CampaignCounter.bump(action.campaign_id, shard_key=action.pk, **deltas)


def create_rsvp(
    action: Action,
    *,
    pseudonym: str = "",
    email: str = "",
    language: str,
    consent: bool,
    campaign_news: bool = False,
    safety_offers: Sequence[str] = (),
    actor: Supporter = None,
) -> RSVPReceipt:
    """RSVP to `action`. `campaign_news`: the supporter asks for the campaign's news at their
    address (it needs an address and a campaign). It takes effect only when they confirm by the
    link in their confirmation mail, so that nobody can sign up someone else's address.

    An address that RSVPed before gets a new RSVP like anyone else: it takes a seat or a place
    on the waitlist exactly as a new one would, so neither the answer nor the action's fullness
    tells anyone whether that address had RSVPed. Only the same address for the same action
    within REPLAY_SECONDS is taken for the same request sent again (a double click, a resend):
    it makes nothing new and gets the same answer.

    `safety_offers`: the safety roles (kinds) the supporter offers to hold, stored with the RSVP
    for the organizers to confirm, in one insert; none when nothing is offered."""
    if not consent:
        raise ConsentMissing(field="consent")
    if not action.is_open_for_rsvp:
        raise RSVPClosed()
    if action.is_high_risk():
        raise NoRSVPInside()
    index = blind_index(email) if email else ""
    news = bool(campaign_news and index and action.campaign_id)
    replay = replay_key(action.pk, index) if index else ""
    if replay and not cache.add(replay, "", REPLAY_SECONDS):
        # The same answer as the first copy's, status included (once the first one knows it).
        known = cache.get(replay)
        status = RSVP.Status(known) if known in RSVP.LIVE else None
        return RSVPReceipt(action=action, token=None, emailed=True, status=status)
    try:
        receipt = _create_rsvp(
            action, pseudonym, email, index, language, news, tuple(safety_offers), actor
        )
    except BaseException:
        if replay:
            cache.delete(replay)
        raise
    if replay and receipt.status is not None:
        cache.set(replay, receipt.status.value, REPLAY_SECONDS)
    return receipt


def replay_key(action_id: int, index: str) -> str:
    """The cache key that takes the same address for the same action again within
    REPLAY_SECONDS for the same request; it holds the address's blind index, so an erasure
    deletes it."""
    return f"rsvp:replay:{action_id}:{index}"


def _create_rsvp(
    action: Action,
    pseudonym: str,
    email: str,
    index: str,
    language: str,
    news: bool,
    safety_offers: tuple[str, ...],
    actor: Supporter,
) -> RSVPReceipt:
    with transaction.atomic():
        status = _seat_or_waitlist(action.pk)
        token = new_token()
        rsvp = RSVP.objects.create(
            action=action,
            pseudonym=pseudonym,
            contact=email,
            contact_index=index,
            language=language,
            consent_version=CONSENT_VERSION,
            status=status,
            manage_token_hash=hash_token(token),
        )
        _bump(action, seat_claimed=True, **{status.value: 1})
        data: dict[str, Any] = {"status": status}
        if safety_offers:
            data["safety_offers"] = _offer_safety_roles(rsvp, safety_offers)
        record("rsvp.created", actor=actor, target=action, hub=action.hub, data=data)
        if email:
            queue_message(
                "rsvp.confirmation",
                [recipient("rsvp", rsvp.pk)],
                data={"news": True} if news else None,
            )
            return RSVPReceipt(action=action, token=None, emailed=True, status=status)
    return RSVPReceipt(action=action, token=token, emailed=False, status=status)


def _offer_safety_roles(rsvp: RSVP, kinds: tuple[str, ...]) -> list[str]:
    """Store the supporter's offers of safety roles in one insert; returns their kinds. Safety
    roles sit above actions (streetwave.safety): named, not imported."""
    safety_role: Any = apps.get_model("safety", "SafetyRole")
    offered = sorted({safety_role.Kind(kind).value for kind in kinds})
    safety_role.objects.bulk_create(
        safety_role(action_id=rsvp.action_id, rsvp=rsvp, kind=kind) for kind in offered
    )
    return offered


def manage_url(token: str, language: str) -> str:
    """The absolute manage link of an RSVP, in the supporter's language."""
    return absolute_url("actions:manage", token, language=language)


def rotate_manage_token(rsvp: RSVP) -> str:
    """A new manage link for an RSVP; the old link stops working."""
    token = new_token()
    RSVP.objects.filter(pk=rsvp.pk).update(manage_token_hash=hash_token(token))
    return token


def update_rsvp(rsvp: RSVP, *, pseudonym: str, language: str, actor: Supporter = None) -> RSVP:
    with transaction.atomic():
        rsvp.pseudonym = pseudonym
        rsvp.language = language
        rsvp.save(update_fields=["pseudonym", "language", "updated_at"])
        record("rsvp.updated", actor=actor, target=rsvp.action, hub=rsvp.action.hub)
    return rsvp


def cancel_rsvp(rsvp: RSVP, *, actor: Supporter = None) -> RSVP:
    with transaction.atomic():
        current = lock(RSVP.objects.filter(pk=rsvp.pk)).select_related("action").get()
        if not current.is_live:
            return current
        was = current.status
        current.status = RSVP.Status.CANCELLED
        current.save(update_fields=["status", "updated_at"])
        action = current.action
        if was == RSVP.Status.GOING:
            _bump(action, going=-1, cancelled=1)
            promote_waitlisted(action)
        else:
            _bump(action, waitlisted=-1, cancelled=1)
        record("rsvp.cancelled", actor=actor, target=action, hub=action.hub, data={"was": was})
    return current


def rejoin_rsvp(rsvp: RSVP, *, actor: Supporter = None) -> RSVP:
    """Take back a cancel: the same RSVP (same link, same pseudonym and contact) claims a seat
    again through the one path new RSVPs take, going if one is free, else waitlisted. It joins
    the waitlist at its end, behind those who waited while it was cancelled. An action that no
    longer takes RSVPs (ended, cancelled) cannot be joined again."""
    with transaction.atomic():
        current = lock(RSVP.objects.filter(pk=rsvp.pk)).select_related("action").get()
        if current.status != RSVP.Status.CANCELLED:
            return current
        action = current.action
        if not action.is_open_for_rsvp:
            raise RSVPClosed()
        status = _seat_or_waitlist(action.pk)
        current.status = status
        # The waitlist is served in order of created_at: a place in it starts now.
        current.created_at = timezone.now()
        current.save(update_fields=["status", "created_at", "updated_at"])
        _bump(action, seat_claimed=True, cancelled=-1, **{status.value: 1})
        record("rsvp.rejoined", actor=actor, target=action, hub=action.hub, data={"status": status})
    return current


def promote_waitlisted(action: Action) -> list[int]:
    """Move the longest-waiting RSVPs onto free seats; returns the promoted RSVP ids. Nobody
    moves up for an action that no longer takes RSVPs (cancelled, or over): a "a place is free
    for you" would send them to nothing."""
    promoted: list[int] = []
    if not action.is_open_for_rsvp:
        return promoted
    while True:
        candidates = RSVP.objects.filter(action=action, status=RSVP.Status.WAITLISTED)
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        candidate = candidates.order_by("created_at", "id").first()
        if candidate is None or not _claim_seat(action.pk):
            break
        RSVP.objects.filter(pk=candidate.pk).update(status=RSVP.Status.GOING)
        _bump(action, seat_claimed=True, going=1, waitlisted=-1)
        record("rsvp.promoted", target=action, hub=action.hub)
        queue_message("rsvp.promoted", [recipient("rsvp", candidate.pk)])
        promoted.append(candidate.pk)
    return promoted
