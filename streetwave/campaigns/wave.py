"""The wave: a campaign's actions in the order the day reaches them, time zone by time zone.

Actions are grouped by the UTC offset their city has at their start (Berlin and Paris share a
group, London is the next one), the groups ordered east to west as the day reaches them, and the
actions of a group by their start. At a moment `now`:

- an action is in its phase (Action.Phase, the one rule of every public surface): `upcoming`
  before its start, `now` from its start until its end, `ended` after;
- a group is `now` while any of its actions is happening, `done` once all have ended;
- of the other groups, the one with the earliest upcoming start is `next`, the rest `later`.

Cancelled actions are left out: they do not happen.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from streetwave.actions.models import Action
from streetwave.core.i18n import format_utc_offset
from streetwave.places.models import City

from .queries import PublicAction

# States of a group.
NOW = "now"
NEXT = "next"
DONE = "done"
LATER = "later"
# Phases of one action.
UPCOMING = Action.Phase.UPCOMING
HAPPENING = Action.Phase.NOW
ENDED = Action.Phase.ENDED


def _distinct_cities(actions: Iterable[PublicAction]) -> list[City]:
    return list({action.city_id: action.city for action in actions}.values())


@dataclass
class WaveGroup:
    offset: dt.timedelta
    rows: list[tuple[PublicAction, Action.Phase]] = field(default_factory=list)
    state: str = LATER

    @property
    def key(self) -> str:
        """A stable id for the page (`wave-330` for UTC+05:30, `wave-m300` for UTC-05:00)."""
        minutes = int(self.offset.total_seconds() // 60)
        return f"wave-{'m' if minutes < 0 else ''}{abs(minutes)}"

    @property
    def offset_label(self) -> str:
        # Rendered in the active language, so the digits follow the reader.
        return format_utc_offset(self.rows[0][0].local_start)

    @property
    def cities(self) -> list[City]:
        return _distinct_cities(action for action, _state in self.rows)

    @property
    def first_upcoming(self) -> PublicAction | None:
        return next((action for action, state in self.rows if state == UPCOMING), None)

    @property
    def upcoming_start(self) -> dt.datetime:
        upcoming = self.first_upcoming
        return upcoming.starts_at if upcoming else dt.datetime.max.replace(tzinfo=dt.UTC)


@dataclass
class Wave:
    groups: list[WaveGroup]
    now_cities: list[City]
    next_cities: list[City]
    done_cities: list[City]
    # The first upcoming action of the next group, for "from 12:00 local time".
    next_action: PublicAction | None

    @property
    def started(self) -> bool:
        return any(state != UPCOMING for group in self.groups for _action, state in group.rows)


def build_wave(actions: Iterable[PublicAction], now: dt.datetime) -> Wave:
    """The wave of `actions` (with their cities loaded) at the moment `now`."""
    by_offset: dict[dt.timedelta, WaveGroup] = {}
    happening = sorted(
        (action for action in actions if action.status != Action.Status.CANCELLED),
        key=lambda action: (action.starts_at, action.pk),
    )
    for action in happening:
        offset = action.local_start.utcoffset() or dt.timedelta(0)
        group = by_offset.setdefault(offset, WaveGroup(offset))
        group.rows.append((action, action.phase_at(now)))
    # The day reaches the zones east to west; inside a zone, actions stay in order of start.
    groups = sorted(by_offset.values(), key=lambda group: group.offset, reverse=True)
    for group in groups:
        states = {state for _action, state in group.rows}
        if HAPPENING in states:
            group.state = NOW
        elif states == {ENDED}:
            group.state = DONE
    # A group that is neither now nor done has an upcoming action.
    waiting = [group for group in groups if group.state == LATER]
    next_group = min(waiting, key=lambda group: group.upcoming_start, default=None)
    if next_group is not None:
        next_group.state = NEXT
    return Wave(
        groups=groups,
        now_cities=_distinct_cities(
            action for group in groups for action, state in group.rows if state == HAPPENING
        ),
        next_cities=_distinct_cities(
            action for action, state in (next_group.rows if next_group else []) if state == UPCOMING
        ),
        # The trail the wave left, the most recently finished first.
        done_cities=_distinct_cities(
            action
            for group in reversed(groups)
            if group.state == DONE
            for action, _state in reversed(group.rows)
        ),
        next_action=next_group.first_upcoming if next_group else None,
    )
