"""The embedded default's cache: Django's file cache, shared by every process of the instance
(the web server, the worker and its beat), with an `add` and an `incr` that are atomic across
processes and threads as Redis's are. Rate limits, idempotency keys, the RSVP replay guard and
the rebuild locks of the live documents rely on that; Django's own `add` looks, then writes."""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache
from django.core.files import locks


class SharedFileCache(FileBasedCache):
    def __init__(self, dir: str, params: dict[str, Any]) -> None:
        super().__init__(dir, params)
        self._lock_path = os.path.join(os.path.abspath(dir), "lock")

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        """Hold the folder's lock: only `add` and `incr` take it, reads and writes do not."""
        os.makedirs(os.path.dirname(self._lock_path), exist_ok=True)
        with open(self._lock_path, "ab") as file:
            locks.lock(file, locks.LOCK_EX)
            try:
                yield
            finally:
                locks.unlock(file)

    def add(
        self,
        key: Any,
        value: Any,
        timeout: float | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> bool:
        with self._exclusive():
            return super().add(key, value, timeout, version)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        with self._exclusive():
            return super().incr(key, delta, version)
