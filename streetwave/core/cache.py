"""Cached documents that a crowd reads while they age, rebuilt by a worker, never by the crowd.

A reader gets the cached copy at once. The first reader to find it older than `refresh_after`
takes a rebuild lock and asks a Celery worker (queue "live") for the next copy; everyone
meanwhile gets the current one. Only when there is no copy at all (the first read, or after the
cache lost it) does a reader build it in the request, under the same lock, while the readers
who come meanwhile wait for its copy instead of building their own. So building a big document
(the map of 10,000 actions takes half a second) never holds the web workers while the crowd
waits, and a document that nobody reads is never rebuilt.

A document is named by a builder, the dotted path of a function, and its arguments, so that the
worker can build it too (the broker is trusted: it carries every task).

A document can also go out of date at a known moment, whatever its age: the live documents of a
campaign say "happening now" or "ended", which changes when an action starts or ends. Such a
value carries `changes_at` (seconds since the epoch, or None). The first reader after that
moment asks for the next copy at once, without waiting for the refresh age; and a copy that went
out of date more than OUTDATED_SECONDS ago, which only happens when nobody read it meanwhile (a
document left alone overnight), is not served at all: it is built again as a first copy.
"""

import logging
import time
from typing import Any

from celery import shared_task
from django.core.cache import cache
from django.http import Http404
from django.utils.module_loading import import_string
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

# A copy is kept long after it was built, so that there is always one to serve while the next
# is built; a rebuild lock expires after LOCK_SECONDS, so that a lost task does not block the
# next one (and a queued task older than that is dropped: another one has been asked for).
KEEP_SECONDS = 24 * 3600
LOCK_SECONDS = 30
QUEUE = "live"
# With no copy at all, readers wait this long for the one being built, looking every
# COLD_POLL_SECONDS, before they build it themselves.
COLD_WAIT_SECONDS = 5.0
COLD_POLL_SECONDS = 0.05
# How long a copy that went out of date (`changes_at`) may still be served while the next one
# is built: with the reader's refresh age (10 s for live documents), within the 15 s of DESIGN.
OUTDATED_SECONDS = 5.0


def get_cached(key: str, builder: str, args: list[Any], refresh_after: float) -> Any:
    """The copy under `key`, asking for a new one when it is older than `refresh_after`
    seconds; with no copy, a new one from `builder(*args)` (which may raise Http404; nothing is
    cached then)."""
    entry = cache.get(key)
    if entry is None:
        return _build_first(key, builder, args)
    value, built_at = entry
    now = time.time()
    changes_at: float | None = getattr(value, "changes_at", None)
    outdated = changes_at is not None and now >= changes_at
    if changes_at is not None and now - changes_at >= OUTDATED_SECONDS:
        return _build_first(key, builder, args)
    if (outdated or now - built_at >= refresh_after) and cache.add(_lock(key), 1, LOCK_SECONDS):
        try:
            rebuild_cached.apply_async((key, builder, args), queue=QUEUE, expires=LOCK_SECONDS)
        except OperationalError:
            # No broker: the copy ages a little more; the next reader after the lock asks again.
            logger.warning("cache: could not ask for a rebuild of %s", key)
    return value


def _build_first(key: str, builder: str, args: list[Any]) -> Any:
    """The first copy, built by the reader who takes the lock; the others wait for it (a missing
    document, Http404, frees the lock at once, and each waiting reader then finds out itself)."""
    deadline = time.monotonic() + COLD_WAIT_SECONDS
    while not cache.add(_lock(key), 1, LOCK_SECONDS):
        if time.monotonic() >= deadline:
            return _store(key, import_string(builder)(*args))
        time.sleep(COLD_POLL_SECONDS)
        entry = cache.get(key)
        if entry is not None:
            return entry[0]
    try:
        return _store(key, import_string(builder)(*args))
    finally:
        cache.delete(_lock(key))


def rebuild(key: str, builder: str, args: list[Any]) -> None:
    """Build and store the next copy (the worker's side); a document that is gone (Http404)
    is dropped, so that the next reader gets the 404 too."""
    try:
        _store(key, import_string(builder)(*args))
    except Http404:
        cache.delete(key)
    finally:
        cache.delete(_lock(key))


# Declared here, beside get_cached which queues it, so that core.tasks imports this module and
# never the other way round; the name is the one it has always had, so that a queued rebuild
# still finds it.
@shared_task(name="streetwave.core.tasks.rebuild_cached")
def rebuild_cached(key: str, builder: str, args: list[Any]) -> None:
    """The next copy of a cached document a reader found old."""
    rebuild(key, builder, args)


def _store(key: str, value: Any) -> Any:
    cache.set(key, (value, time.time()), KEEP_SECONDS)
    return value


def _lock(key: str) -> str:
    return f"{key}:rebuild"
