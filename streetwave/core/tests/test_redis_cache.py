import pytest
from django.core.cache import caches

from streetwave.core.redis_cache import ReusedClientRedisCache


def test_the_redis_cache_reuses_one_client_per_pool():
    backend = caches["default"]
    if not isinstance(backend, ReusedClientRedisCache):
        pytest.skip("the cache is Redis only with REDIS_URL (CI's PostgreSQL + Redis pass)")

    backend.set("reused", {"v": 1}, 10)

    assert backend.get("reused") == {"v": 1}
    assert backend.add("reused", 2, 10) is False
    assert backend._cache.get_client("a", write=True) is backend._cache.get_client("b")
