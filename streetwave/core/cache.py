"""Cached documents that a crowd reads while they age, rebuilt by a worker, never by the crowd.

A reader gets the cached copy at once. The first reader to find it older than `refresh_after`
takes a rebuild lock and asks a Celery worker (queue "live") for the next copy; everyone
meanwhile gets the current one. Only when there is no copy at all (the first read, or after the
cache was emptied) does a reader build it in the request. So building a big document (the map
of 10,000 actions takes a second) never holds a web worker while the crowd waits, and a
document that nobody reads is never rebuilt.

A document is named by a builder, the dotted path of a function, and its arguments, so that the
worker can build it too (the broker is trusted: it carries every task).
"""

import logging
import time
from typing import Any

from django.core.cache import cache
from django.http import Http404
from django.utils.module_loading import import_string
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

# A copy is kept this long after it was built, so that there is one to serve while the next is
# built; a rebuild lock expires after LOCK_SECONDS, so that a lost task does not block the
# next one (and a queued task older than that is dropped: another one has been asked for).
KEEP_SECONDS = 300
LOCK_SECONDS = 30
QUEUE = "live"


def get_cached(key: str, builder: str, args: list, refresh_after: float) -> Any:
    """The copy under `key`, asking for a new one when it is older than `refresh_after`
    seconds; with no copy, a new one from `builder(*args)` (which may raise Http404; nothing is
    cached then)."""
    entry = cache.get(key)
    if entry is None:
        return _store(key, import_string(builder)(*args))
    value, built_at = entry
    if time.time() - built_at >= refresh_after and cache.add(_lock(key), 1, LOCK_SECONDS):
        from .tasks import rebuild_cached

        try:
            rebuild_cached.apply_async((key, builder, args), queue=QUEUE, expires=LOCK_SECONDS)
        except OperationalError:
            # No broker: the copy ages a little more; the next reader after the lock asks again.
            logger.warning("cache: could not ask for a rebuild of %s", key)
    return value


def rebuild(key: str, builder: str, args: list) -> None:
    """Build and store the next copy (the worker's side); a document that is gone (Http404)
    is dropped, so that the next reader gets the 404 too."""
    try:
        _store(key, import_string(builder)(*args))
    except Http404:
        cache.delete(key)
    finally:
        cache.delete(_lock(key))


def _store(key: str, value: Any) -> Any:
    cache.set(key, (value, time.time()), KEEP_SECONDS)
    return value


def _lock(key: str) -> str:
    return f"{key}:rebuild"
