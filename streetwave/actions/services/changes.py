"""Changes of a published action's public time or place.

Close to the start (LATE_CHANGE_WINDOW before the current start or the new one) a change is held
as a pending ActionChange until a second person confirms it, so that one account, phished or
infiltrated, cannot move people at short notice: another organizer of the hub or, when the hub
has none, a coordinator of the action's campaign (hubs.permissions.late_change_confirmers).
Earlier changes apply at once.
Either way the applied change is kept with its before and after, shown on the public page, and
mailed to every live RSVP that left a contact.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from streetwave.audit.services import record
from streetwave.core.errors import Conflict, NotAllowed
from streetwave.core.locking import lock
from streetwave.hubs.permissions import may_confirm_late_change, may_handle_late_change

from ..models import LATE_CHANGE_WINDOW, Action, ActionChange
from ..schedule import check_schedule
from .notices import message_rsvps
from .reminders import schedule_messages

PUBLIC_FIELDS = ["starts_at", "ends_at", "place", "latitude", "longitude"]


class ChangeAlreadyPending(Conflict):
    default_message = _(
        "Another change of time or place is waiting for a second person. Confirm or withdraw it "
        "first."
    )


class ChangeNotPending(Conflict):
    default_message = _("This change has already been confirmed or withdrawn.")


class ChangeOutdated(Conflict):
    default_message = _(
        "The action has changed since this change was asked for. Withdraw it and ask again."
    )


class RequesterCannotConfirm(NotAllowed):
    default_message = _("A second person must confirm this change: you asked for it yourself.")


def is_late_change(action: Action, new_starts_at: dt.datetime, now=None) -> bool:
    now = now or timezone.now()
    return action.is_late(now) or now >= new_starts_at - LATE_CHANGE_WINDOW


def _apply(action: Action, change: ActionChange, now: dt.datetime) -> None:
    action.starts_at = change.new_starts_at
    action.ends_at = change.new_ends_at
    action.place = change.new_place
    action.latitude = change.new_latitude
    action.longitude = change.new_longitude
    action.changed_at = now
    action.save(update_fields=[*PUBLIC_FIELDS, "changed_at", "updated_at"])
    # Reminders follow the new start; those of the old one are no longer due.
    schedule_messages(action, now=now)


def _notify(change: ActionChange) -> int:
    return message_rsvps(change.action, "action.changed", change=change.pk)


def apply_or_hold_change(
    action: Action,
    *,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    place: str,
    latitude: float,
    longitude: float,
    actor,
) -> ActionChange:
    """Record a change of a published `action` (locked by the caller, inside its transaction):
    held when late, applied and announced otherwise."""
    if ActionChange.objects.filter(action=action, status=ActionChange.Status.PENDING).exists():
        raise ChangeAlreadyPending()
    now = timezone.now()
    late = is_late_change(action, starts_at, now)
    change = ActionChange.objects.create(
        action=action,
        status=ActionChange.Status.PENDING if late else ActionChange.Status.APPLIED,
        requested_by=actor,
        decided_at=None if late else now,
        old_starts_at=action.starts_at,
        old_ends_at=action.ends_at,
        old_place=action.place,
        old_latitude=action.latitude,
        old_longitude=action.longitude,
        new_starts_at=starts_at,
        new_ends_at=ends_at,
        new_place=place,
        new_latitude=latitude,
        new_longitude=longitude,
    )
    if late:
        record(
            "action.change_held",
            actor=actor,
            target=action,
            hub=action.hub,
            data={"change": change.public_id},
        )
        return change
    _apply(action, change, now)
    notified = _notify(change)
    record(
        "action.change_applied",
        actor=actor,
        target=action,
        hub=action.hub,
        data={"change": change.public_id, "notified": notified},
    )
    return change


def confirm_action_change(change: ActionChange, *, actor) -> ActionChange:
    """The second person confirms a held change: it applies and every RSVP is told."""
    with transaction.atomic():
        change = lock(ActionChange.objects.filter(pk=change.pk)).get()
        if not change.is_pending:
            raise ChangeNotPending()
        if change.requested_by_id == actor.pk:
            raise RequesterCannotConfirm()
        action = (
            lock(Action.objects.filter(pk=change.action_id))
            .select_related("hub", "city", "campaign")
            .get()
        )
        if not may_confirm_late_change(actor, action, requester_id=change.requested_by_id):
            raise NotAllowed()
        current = (
            action.starts_at,
            action.ends_at,
            action.place,
            action.latitude,
            action.longitude,
        )
        before = (
            change.old_starts_at,
            change.old_ends_at,
            change.old_place,
            change.old_latitude,
            change.old_longitude,
        )
        if action.status != Action.Status.PUBLISHED or current != before:
            raise ChangeOutdated()
        check_schedule(
            starts_at=change.new_starts_at,
            ends_at=change.new_ends_at,
            zone=action.zone,
            campaign=action.campaign,
            require_future=change.new_starts_at != change.old_starts_at,
        )
        now = timezone.now()
        change.action = action
        change.status = ActionChange.Status.APPLIED
        change.decided_by = actor
        change.decided_at = now
        change.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
        _apply(action, change, now)
        notified = _notify(change)
        record(
            "action.change_confirmed",
            actor=actor,
            target=action,
            hub=action.hub,
            data={"change": change.public_id, "notified": notified},
        )
    return change


def withdraw_action_change(change: ActionChange, *, actor) -> ActionChange:
    """The requester takes a held change back, or another organizer (or the coordinator standing
    in for one) turns it down."""
    with transaction.atomic():
        change = (
            lock(ActionChange.objects.filter(pk=change.pk))
            .select_related("action", "action__hub", "action__campaign")
            .get()
        )
        if not may_handle_late_change(actor, change.action, requester_id=change.requested_by_id):
            raise NotAllowed()
        if not change.is_pending:
            raise ChangeNotPending()
        change.status = ActionChange.Status.WITHDRAWN
        change.decided_by = actor
        change.decided_at = timezone.now()
        change.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
        record(
            "action.change_withdrawn",
            actor=actor,
            target=change.action,
            hub=change.action.hub,
            data={"change": change.public_id},
        )
    return change


def withdraw_pending_changes(action: Action, *, actor) -> int:
    """Inside the caller's transaction: what no longer applies once an action is cancelled."""
    now = timezone.now()
    return ActionChange.objects.filter(action=action, status=ActionChange.Status.PENDING).update(
        status=ActionChange.Status.WITHDRAWN, decided_by=actor, decided_at=now, updated_at=now
    )
