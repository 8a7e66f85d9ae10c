import pytest
from django.core.cache import cache

from streetwave.core.cache import get_fresh_enough


class Builder:
    def __init__(self):
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return f"v{self.calls}"


def broken():
    raise LookupError("gone")


def age(key: str, seconds: float) -> None:
    value, built_at = cache.get(key)
    cache.set(key, (value, built_at - seconds), 300)


def test_a_fresh_value_is_built_once():
    build = Builder()

    assert get_fresh_enough("k", build, 15) == "v1"
    assert get_fresh_enough("k", build, 15) == "v1"
    assert build.calls == 1


def test_a_stale_value_is_served_while_another_request_rebuilds_it():
    # given a value past its age, and another request holding the rebuild lock
    build = Builder()
    get_fresh_enough("k", build, 15)
    age("k", 16)
    cache.add("k:rebuild", 1, 30)

    # then this request gets the stale value without building
    assert get_fresh_enough("k", build, 15) == "v1"
    assert build.calls == 1

    # and once the lock is free, the next request rebuilds it
    cache.delete("k:rebuild")
    assert get_fresh_enough("k", build, 15) == "v2"
    assert get_fresh_enough("k", build, 15) == "v2"
    assert cache.get("k:rebuild") is None


def test_a_failing_build_caches_nothing_and_frees_the_lock():
    build = Builder()
    get_fresh_enough("k", build, 15)
    age("k", 16)

    with pytest.raises(LookupError):
        get_fresh_enough("k", broken, 15)
    assert cache.get("k:rebuild") is None
    assert get_fresh_enough("k", build, 15) == "v2"


def test_a_missing_value_that_cannot_be_built_is_not_cached():
    with pytest.raises(LookupError):
        get_fresh_enough("missing", broken, 15)
    assert cache.get("missing") is None
