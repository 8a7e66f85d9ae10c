import pytest
from django.core.cache import caches
from redis.exceptions import ConnectionError as RedisConnectionError

from streetwave.core import health, ratelimit
from streetwave.core.redis_cache import ReusedClientRedisCache


def test_the_redis_cache_reuses_one_client_per_pool():
    backend = caches["default"]
    if not isinstance(backend, ReusedClientRedisCache):
        pytest.skip("the cache is Redis only with REDIS_URL (CI's PostgreSQL + Redis pass)")

    backend.set("reused", {"v": 1}, 10)

    assert backend.get("reused") == {"v": 1}
    assert backend.add("reused", 2, 10) is False
    assert backend._cache.get_client("a", write=True) is backend._cache.get_client("b")


@pytest.fixture
def unreachable():
    """A Redis cache whose server refuses every connection (nothing listens on port 1)."""
    return ReusedClientRedisCache(
        "redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1}}
    )


def test_while_redis_does_not_answer_the_process_keeps_its_own_cache(unreachable, caplog):
    unreachable.set("tally", "copy", 10)

    assert unreachable.get("tally") == "copy"
    assert unreachable.fallback.get("tally") == "copy"
    assert unreachable.add("key", 1, 10) is True
    assert unreachable.add("key", 1, 10) is False
    assert unreachable.incr("key") == 2
    assert unreachable.get_many(["tally", "key"]) == {"tally": "copy", "key": 2}
    unreachable.delete("tally")
    assert unreachable.get("tally") is None
    # one warning, not one per call
    warnings = [r for r in caplog.records if "Redis does not answer" in r.getMessage()]
    assert len(warnings) == 1


def test_rate_limits_count_in_the_process_while_redis_does_not_answer(unreachable, monkeypatch):
    monkeypatch.setattr(ratelimit, "caches", {"default": unreachable})

    assert [ratelimit.allow_key("rsvp", "k", limit=2) for _ in range(3)] == [True, True, False]


def test_the_health_check_asks_redis_itself(unreachable, monkeypatch):
    monkeypatch.setattr(health, "caches", {"default": unreachable})

    with pytest.raises(RedisConnectionError):
        health.check_cache()
