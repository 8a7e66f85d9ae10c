"""Reminders and the reveal of the meeting point, as scheduled messages to the people going.

`Action.next_message_at` says when an action's next moment (actions/reminders.py) comes; beat
runs `queue_due_reminders` every minute, which looks only at published actions whose time has
come (through the index on that column), queues the latest due moment and sets the time of the
next. Every writer that publishes an action, moves it, changes what its schedule depends on or
cancels it calls `schedule_messages`, the one place that sets `next_message_at`.

Exactly once: each moment is queued under an outbox key of the action, the moment and the start
time (`reminders.message_key`), so two overlapping runs, a retried task or a rescheduling that
lands on a moment already sent queue nothing new.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from streetwave.audit.services import record
from streetwave.core.locking import lock

from ..models import RSVP, Action
from ..reminders import due_moment, message_key, next_moment_at
from .notices import message_rsvps

# Actions handled per run; a larger backlog is taken over the following minutes, earliest first.
BATCH_SIZE = 500


def schedule_messages(
    action: Action, *, now: dt.datetime | None = None, catch_up: bool = True
) -> dt.datetime | None:
    """Set when the next scheduled message of `action` is due (None unless it is published),
    inside the caller's transaction, after the action's status, time, leads or meeting point
    changed. `catch_up` sends at once a moment that has come and carries the meeting point; the
    task, which has just sent the due moment, passes False to move on to the next."""
    now = now or timezone.now()
    at = None
    if action.status == Action.Status.PUBLISHED:
        at = next_moment_at(action, now, catch_up=catch_up)
    Action.objects.filter(pk=action.pk).update(next_message_at=at)
    action.next_message_at = at
    return at


def queue_due_reminders(*, now: dt.datetime | None = None) -> int:
    """Queue the due moment of every published action whose next message is due; returns how
    many mails were queued."""
    now = now or timezone.now()
    due = list(
        Action.objects.published()
        .filter(next_message_at__lte=now)
        .order_by("next_message_at", "id")
        .values_list("pk", flat=True)[:BATCH_SIZE]
    )
    return sum(_queue_due(pk, now) for pk in due)


def _queue_due(pk: int, now: dt.datetime) -> int:
    with transaction.atomic():
        action = (
            lock(Action.objects.published().filter(pk=pk, next_message_at__lte=now))
            .select_related("hub", "city")
            .first()
        )
        if action is None:
            # Done by an overlapping run, or cancelled or moved in the meantime.
            return 0
        moment = due_moment(action, now)
        queued = 0
        if moment is not None:
            queued = message_rsvps(
                action,
                "action.reminder",
                statuses=[RSVP.Status.GOING],
                key=message_key(action, moment),
                moment=moment.name,
                starts_at=action.starts_at.isoformat(),
            )
        schedule_messages(action, now=now, catch_up=False)
        if queued:
            record(
                "action.reminder_queued",
                target=action,
                hub=action.hub,
                data={"moment": moment.name if moment else "", "recipients": queued},
            )
    return queued
