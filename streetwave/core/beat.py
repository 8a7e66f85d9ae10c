"""When the scheduler last sent each scheduled task, as it records it itself.

Celery beat keeps, in its schedule file (`--schedule`, CELERY_BEAT_SCHEDULE_FILENAME), the
last time it sent each entry of CELERY_BEAT_SCHEDULE; nothing else records it. A web process
reads it only where the file is: on the machine of `make run`, or where beat's volume is
mounted. The file holds pickles written by this instance's own beat, in its own directory.
"""

import datetime as dt
import logging
import shelve
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

log = logging.getLogger(__name__)

# The files a shelve (dbm.dumb, dbm.gnu or dbm.ndbm) makes of one name.
_SUFFIXES = ("", ".db", ".dat")


@dataclass(frozen=True)
class ScheduledTask:
    # The entry's name in CELERY_BEAT_SCHEDULE ("sweep-outbox").
    name: str
    # When beat last sent it; None when it has not yet (or the file does not say).
    last_sent_at: dt.datetime | None


def last_runs(path: str | None = None) -> list[ScheduledTask] | None:
    """Every entry of CELERY_BEAT_SCHEDULE with the last time beat sent it, in the order of the
    settings; None when the schedule file cannot be read here."""
    path = path or settings.CELERY_BEAT_SCHEDULE_FILENAME
    if not any(Path(path + suffix).is_file() for suffix in _SUFFIXES):
        return None
    try:
        # Pickles of this instance's own beat, in a directory only it writes (see above).
        with shelve.open(path, flag="r") as store:  # noqa: S301
            entries = dict(store.get("entries", {}))
    except Exception as exc:  # a file beat is rewriting, or of another format: not known here
        log.warning("beat schedule unreadable: %s", type(exc).__name__)
        return None
    found = []
    for name in settings.CELERY_BEAT_SCHEDULE:
        entry = entries.get(name)
        last_sent_at = None
        if entry is not None and entry.total_run_count > 0:
            last_sent_at = entry.last_run_at
        found.append(ScheduledTask(name, last_sent_at))
    return found
