"""When the people going to an action are written to before it starts: pure functions of the
action's start, its leads and whether it has a private meeting point. No database and no clock:
`now` is always passed in, so the schedule is the same in a task, a service and a test.

An action has up to three moments: the day before (DAY_BEFORE), the second reminder
(`reminder_lead` before the start) and, when it has a private meeting point, the reveal
(`reveal_lead` before the start). Moments at the same instant are one moment, so one mail; the
reveal gives its name to a moment it shares. Every moment at or after the reveal carries the
meeting point.

Only the latest moment that has come is sent: a scheduler that was down for hours, or an action
published three hours before its start, sends one current mail, never a row of stale ones.
"""

import datetime as dt
import hashlib
from dataclasses import dataclass

from .models import DAY_BEFORE, Action

DAY_BEFORE_MOMENT = "day_before"
REMINDER_MOMENT = "reminder"
REVEAL_MOMENT = "reveal"


@dataclass(frozen=True)
class Moment:
    name: str
    at: dt.datetime
    # The mail of this moment carries the private meeting point.
    shows_meeting_point: bool


def moments(action: Action) -> list[Moment]:
    """The moments of `action`, earliest first."""
    candidates = {
        DAY_BEFORE_MOMENT: action.starts_at - DAY_BEFORE,
        REMINDER_MOMENT: action.starts_at - action.reminder_lead,
    }
    reveal_at = action.reveal_at if action.meeting_point else None
    if reveal_at is not None:
        candidates[REVEAL_MOMENT] = reveal_at
    names_at: dict[dt.datetime, list[str]] = {}
    for name, at in candidates.items():
        names_at.setdefault(at, []).append(name)
    return [
        Moment(
            name=REVEAL_MOMENT if REVEAL_MOMENT in names else names[0],
            at=at,
            shows_meeting_point=reveal_at is not None and at >= reveal_at,
        )
        for at, names in sorted(names_at.items())
    ]


def due_moment(action: Action, now: dt.datetime) -> Moment | None:
    """The moment to send at `now`: the latest that has come, as long as the action has not
    started (a reminder after the start helps no one)."""
    if now >= action.starts_at:
        return None
    come = [moment for moment in moments(action) if moment.at <= now]
    return come[-1] if come else None


def next_moment_at(
    action: Action, now: dt.datetime, *, catch_up: bool = False
) -> dt.datetime | None:
    """When the next moment after `now` comes; None when none is left before the start.

    With `catch_up` (the action was just published, moved or edited), a moment that has already
    come is due at once if it carries the meeting point: people must learn where to meet even
    when the action went public after the reveal time. A reminder that has already come is not
    caught up: a "see you tomorrow" three hours before the start is noise.
    """
    if now >= action.starts_at:
        return None
    if catch_up:
        due = due_moment(action, now)
        if due is not None and due.shows_meeting_point:
            return now
    upcoming = [moment.at for moment in moments(action) if moment.at > now]
    return upcoming[0] if upcoming else None


def message_key(action: Action, moment: Moment) -> str:
    """The outbox key of a moment's message: queued once per action, moment and start time, so a
    task that runs twice sends once, and a new start time makes new moments. A moment that
    carries the meeting point is keyed by it too: a meeting point changed after the reveal is
    mailed again (the edit schedules the due moment at once)."""
    starts_at = action.starts_at.astimezone(dt.UTC).isoformat()
    key = f"action.reminder:{action.pk}:{moment.name}:{starts_at}"
    if moment.shows_meeting_point:
        key += ":" + hashlib.sha256(action.meeting_point.encode()).hexdigest()[:16]
    return key
