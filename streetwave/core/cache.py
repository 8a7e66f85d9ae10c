"""Cached values that a crowd reads while they age: rebuilt by one request at a time.

A value past its age is still served to everyone else while the one request that took the
rebuild lock builds the next; without this, every web worker rebuilds the same document the
moment it expires (for a map of 10,000 actions, seconds of work each) and the crowd waits. A
value is kept well past its age so that there is something to serve while it is rebuilt.
"""

import time
from collections.abc import Callable
from typing import Any

from django.core.cache import cache

# A stale value is kept this many times its age; a rebuild lock expires after LOCK_SECONDS so
# that a worker that died while building does not block the next rebuild.
KEEP_FACTOR = 20
LOCK_SECONDS = 30


def get_fresh_enough(key: str, build: Callable[[], Any], max_age: float) -> Any:
    """The value under `key` if younger than `max_age` seconds; else, for the one caller that
    gets the rebuild lock, a new one from `build()`, and for everyone else the stale one. With
    no value at all, the caller builds. `build` may raise (e.g. Http404); nothing is cached."""
    entry = cache.get(key)
    now = time.time()
    if entry is not None:
        value, built_at = entry
        if now - built_at < max_age or not cache.add(f"{key}:rebuild", 1, LOCK_SECONDS):
            return value
    try:
        value = build()
        cache.set(key, (value, time.time()), max_age * KEEP_FACTOR)
    finally:
        if entry is not None:
            cache.delete(f"{key}:rebuild")
    return value
