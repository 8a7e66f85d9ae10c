"""Changes of a published action's public time or place, and of its private meeting point.

Close to the start a change is held (streetwave.approvals, the one two-person rule) until a
second person confirms it, so that one account, phished or infiltrated, cannot move people at
short notice: another organizer of the hub or, when the hub has none, a coordinator of the
action's campaign (hubs.permissions.second_person). Held are: a change of the time or place
within LATE_CHANGE_WINDOW of the current start or the new one; a change of the private meeting
point within that window or after the reveal (when the people going have been told where to
meet, "the meeting point moved" is the attack THREATS.md names).
Earlier changes apply at once.
Either way the applied change is kept with its before and after. A change of the time or place
is shown on the public page and mailed to every live RSVP that left a contact; a change of the
meeting point is mailed, with the new point, only to the people going, and only once they had
been told the old one (after the reveal); before the reveal, the reveal mail carries it.
"""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from streetwave.accounts.models import User
from streetwave.approvals.models import Approval
from streetwave.approvals.services import decide_held
from streetwave.audit.services import record
from streetwave.core.errors import Conflict
from streetwave.core.locking import lock
from streetwave.hubs.permissions import may_handle_late_change

from ..models import LATE_CHANGE_WINDOW, RSVP, Action, ActionChange
from ..schedule import check_schedule
from .held import approve_held
from .notices import message_rsvps
from .reminders import schedule_messages

PUBLIC_FIELDS = ["starts_at", "ends_at", "place", "latitude", "longitude"]


class ChangeAlreadyPending(Conflict):
    default_message = _(
        "Another change of time or place is waiting for a second person. Confirm or withdraw it "
        "first."
    )


class ChangeOutdated(Conflict):
    default_message = _(
        "The action has changed since this change was asked for. Withdraw it and ask again."
    )


def is_late_change(
    action: Action, new_starts_at: dt.datetime, now: dt.datetime | None = None
) -> bool:
    """A change of the time or place now waits for a second person."""
    now = now or timezone.now()
    return action.is_late(now) or now >= new_starts_at - LATE_CHANGE_WINDOW


def is_late_meeting_point_change(
    action: Action, new_starts_at: dt.datetime, now: dt.datetime | None = None
) -> bool:
    """A change of the private meeting point now waits for a second person: within the window
    of a late change, or once the reveal time has come, whatever the window (a reveal lead
    longer than the window must not open a gap)."""
    now = now or timezone.now()
    return is_late_change(action, new_starts_at, now) or now >= action.reveal_at


def _apply(action: Action, change: ActionChange, now: dt.datetime) -> None:
    action.starts_at = change.new_starts_at
    action.ends_at = change.new_ends_at
    action.place = change.new_place
    action.latitude = change.new_latitude
    action.longitude = change.new_longitude
    action.meeting_point = change.new_meeting_point
    fields = [*PUBLIC_FIELDS, "meeting_point", "updated_at"]
    # Only a public change is listed on the public page (changed_at makes it look).
    if change.moves_time or change.moves_place:
        action.changed_at = now
        fields.append("changed_at")
    action.save(update_fields=fields)
    # Reminders follow the new start; those of the old one are no longer due. A new meeting
    # point is told by the change's own mail: a reveal mail caught up now would say it twice.
    schedule_messages(action, now=now, catch_up=not change.moves_meeting_point)


def _notify(change: ActionChange, now: dt.datetime) -> int:
    """Queue the mail of an applied change; returns how many RSVPs it goes to. A new time or
    place goes to everyone still coming; a new meeting point alone only to the people going,
    and only once they had been told where to meet (before the reveal, the reveal mail tells
    the new point)."""
    action = change.action
    if change.moves_time or change.moves_place:
        return message_rsvps(action, "action.changed", change=change.pk)
    if change.moves_meeting_point and now >= action.reveal_at:
        return message_rsvps(
            action, "action.changed", statuses=[RSVP.Status.GOING], change=change.pk
        )
    return 0


def apply_or_hold_change(
    action: Action,
    *,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    place: str,
    latitude: float,
    longitude: float,
    meeting_point: str | None = None,
    actor: User,
) -> ActionChange:
    """Record a change of a published `action` (locked by the caller, inside its transaction):
    held when late, applied and announced otherwise. `meeting_point` None keeps the action's."""
    if ActionChange.objects.filter(action=action, approval=Approval.HELD).exists():
        raise ChangeAlreadyPending()
    now = timezone.now()
    if meeting_point is None:
        meeting_point = action.meeting_point
    moves_public = (starts_at, ends_at, place, latitude, longitude) != (
        action.starts_at,
        action.ends_at,
        action.place,
        action.latitude,
        action.longitude,
    )
    late = (moves_public and is_late_change(action, starts_at, now)) or (
        meeting_point != action.meeting_point
        and is_late_meeting_point_change(action, starts_at, now)
    )
    change = ActionChange.objects.create(
        action=action,
        approval=Approval.HELD if late else Approval.APPROVED,
        requested_by=actor,
        approved_at=None if late else now,
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
        old_meeting_point=action.meeting_point,
        new_meeting_point=meeting_point,
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
    notified = _notify(change, now)
    record(
        "action.change_applied",
        actor=actor,
        target=action,
        hub=action.hub,
        data={"change": change.public_id, "notified": notified},
    )
    return change


def _apply_confirmed(change: ActionChange) -> int:
    """What a confirmation sets off: the change applies, unless the action moved meanwhile.
    Returns how many RSVPs are told."""
    action = (
        lock(Action.objects.filter(pk=change.action_id))
        .select_related("hub", "city", "campaign")
        .get()
    )
    current = (
        action.starts_at,
        action.ends_at,
        action.place,
        action.latitude,
        action.longitude,
        action.meeting_point,
    )
    before = (
        change.old_starts_at,
        change.old_ends_at,
        change.old_place,
        change.old_latitude,
        change.old_longitude,
        change.old_meeting_point,
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
    change.action = action
    now = change.approved_at or timezone.now()
    _apply(action, change, now)
    return _notify(change, now)


def confirm_action_change(change: ActionChange, *, actor: User) -> ActionChange:
    """The second person confirms a held change: it applies and the RSVPs concerned are told
    (see `_notify`)."""
    notified: dict[str, int] = {}
    return approve_held(
        change,
        "can_confirm_late_change",
        actor=actor,
        then=lambda row: notified.update(count=_apply_confirmed(row)),
        verb="action.change_confirmed",
        data=lambda row: {"change": row.public_id, "notified": notified["count"]},
    )


def withdraw_action_change(change: ActionChange, *, actor: User) -> ActionChange:
    """The requester takes a held change back, or another organizer (or the coordinator standing
    in for one) turns it down."""
    return decide_held(
        ActionChange.objects.filter(pk=change.pk).select_related(
            "action", "action__hub", "action__campaign"
        ),
        decision="withdraw",
        actor=actor,
        may=lambda row: may_handle_late_change(actor, row.action, requester_id=row.requested_by_id),
        verb="action.change_withdrawn",
        audit=lambda row: {
            "target": row.action,
            "hub": row.action.hub,
            "data": {"change": row.public_id},
        },
    )


def withdraw_pending_changes(action: Action, *, actor: User) -> int:
    """Inside the caller's transaction: what no longer applies once an action is cancelled."""
    now = timezone.now()
    return ActionChange.objects.filter(action=action, approval=Approval.HELD).update(
        approval=Approval.WITHDRAWN, withdrawn_by=actor, withdrawn_at=now, updated_at=now
    )
