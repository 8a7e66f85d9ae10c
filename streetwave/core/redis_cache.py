"""Django's Redis cache, with one client object per connection pool instead of one per call,
and a cache of the process's own while Redis does not answer.

Django's backend builds a new `redis.Redis` for every cache operation, and redis-py's constructor
fills a table of some 170 response callbacks each time: a sixth of the time of a cached tally
read. A client is only a handle on its pool, which stays shared (and resets itself in a forked
process), so one per pool serves every call.

When Redis is down (stopped, restarting, unreachable within the socket timeouts of the
settings), every operation goes to a small in-memory cache of the process instead, so requests
keep being answered: RSVPs are accepted with each process counting rate limits on its own, the
live documents are built by the process that needs them and kept by it, and Idempotency-Keys
hold within one process. The first call after Redis answers again uses it again (redis-py
reconnects); what the processes kept meanwhile is dropped with them. docs/deploy.md, "Faults".
"""

import logging
import time
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
# Seconds between two warnings of one process that Redis does not answer.
WARN_EVERY = 60


class _ReusedClient(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    # The stubs leave out the private parts of Django's client that this builds on.
    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


class ReusedClientRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _ReusedClient
        # The process's own, while Redis does not answer.
        self.fallback = LocMemCache("streetwave-redis-fallback", {"OPTIONS": {"MAX_ENTRIES": 2000}})
        self._warned_at = float("-inf")

    def unreachable(self, error: Exception) -> None:
        """Note that Redis did not answer (a warning a minute per process, not one a call)."""
        now = time.monotonic()
        if now - self._warned_at >= WARN_EVERY:
            self._warned_at = now
            logger.warning("Redis does not answer (%s): this process uses its own cache", error)

    def ping(self) -> None:
        """Ask Redis itself, never the fallback: the health check."""
        self._cache.get_client(write=True).ping()


# Every operation of Django's cache API: on Redis, or on the process's own cache when Redis does
# not answer.
OPERATIONS = (
    "add", "get", "set", "touch", "delete", "get_many", "has_key", "incr", "set_many",
    "delete_many",
)  # fmt: skip


def _either(name: str) -> Callable[..., Any]:
    on_redis = getattr(RedisCache, name)

    def operation(self: ReusedClientRedisCache, *args: Any, **kwargs: Any) -> Any:
        try:
            return on_redis(self, *args, **kwargs)
        except UNREACHABLE as error:
            self.unreachable(error)
            return getattr(self.fallback, name)(*args, **kwargs)

    operation.__name__ = name
    return operation


for _name in OPERATIONS:
    setattr(ReusedClientRedisCache, _name, _either(_name))
