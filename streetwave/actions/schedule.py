"""Wall-clock times in a city's time zone, and the rules an action's time must follow.

Organizers think in the local time of their city; the database keeps UTC. A wall-clock time can
fail to name exactly one instant: it does not exist when the clocks go forward (a gap), and it
happens twice when they go back (an overlap). Guessing would put people on the street an hour
early or late, so both are refused with an explanation instead.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _

from streetwave.core.errors import DomainError
from streetwave.core.i18n import format_date, format_datetime, format_time, format_utc_offset


class LocalTimeError(ValueError):
    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def to_utc(day: dt.date, time: dt.time, zone: ZoneInfo) -> dt.datetime:
    """The instant a wall-clock time in `zone` names; LocalTimeError in a gap or an overlap."""
    naive = dt.datetime.combine(day, time.replace(second=0, microsecond=0))
    earlier = naive.replace(tzinfo=zone, fold=0)
    later = naive.replace(tzinfo=zone, fold=1)
    if earlier.utcoffset() != later.utcoffset():
        placeholders = {
            "time": format_time(naive),
            "date": format_date(day),
            "zone": zone.key,
        }
        round_trip = earlier.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None)
        if round_trip != naive:
            raise LocalTimeError(
                _(
                    "%(time)s does not exist on %(date)s in %(zone)s: the clocks go forward at "
                    "that time. Choose another time."
                )
                % placeholders
            )
        raise LocalTimeError(
            _(
                "%(time)s happens twice on %(date)s in %(zone)s: the clocks go back at that "
                "time. Choose a time outside that hour."
            )
            % placeholders
        )
    return earlier.astimezone(dt.UTC)


def zone_label(zone: ZoneInfo, at: dt.datetime | None = None) -> str:
    """'Europe/Berlin (UTC+01:00)': the zone and its offset at `at` (now by default)."""
    local = timezone.localtime(at or timezone.now(), zone)
    return _("%(zone)s (%(offset)s)") % {"zone": zone.key, "offset": format_utc_offset(local)}


class ScheduleError(DomainError):
    """The time of an action breaks a rule; `field` names the form field to blame."""


def check_schedule(
    *,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    zone: ZoneInfo,
    campaign=None,
    require_future: bool = True,
    now: dt.datetime | None = None,
) -> None:
    """Raise ScheduleError unless the action ends after it starts, lies inside its campaign's
    window and (with `require_future`) starts in the future. Times in messages are given in
    the city's zone, the one the organizer typed them in."""
    now = now or timezone.now()
    if ends_at <= starts_at:
        raise ScheduleError(_("The end must be after the start."), field="end_time")
    if require_future and starts_at <= now:
        raise ScheduleError(
            _("This time has already passed. Choose a time in the future."), field="start_time"
        )
    if campaign is not None and (starts_at < campaign.starts_at or ends_at > campaign.ends_at):
        raise ScheduleError(
            _(
                "The campaign “%(campaign)s” runs from %(start)s to %(end)s, in the time of "
                "%(zone)s. Choose a start and an end inside it."
            )
            % {
                "campaign": campaign.title,
                "start": format_datetime(timezone.localtime(campaign.starts_at, zone)),
                "end": format_datetime(timezone.localtime(campaign.ends_at, zone)),
                "zone": zone.key,
            },
            field="start_date",
        )
