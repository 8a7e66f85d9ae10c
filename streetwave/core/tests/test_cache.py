import time
from unittest import mock

import pytest
from django.core.cache import cache
from django.http import Http404
from kombu.exceptions import OperationalError

from streetwave.core.cache import OUTDATED_SECONDS, get_cached
from streetwave.core.tasks import rebuild_cached

BUILDER = "streetwave.core.tests.test_cache.build"
MISSING = "streetwave.core.tests.test_cache.missing"
calls: list[str] = []


def build(name: str) -> str:
    calls.append(name)
    return f"{name}{len(calls)}"


def missing(name: str) -> str:
    raise Http404


@pytest.fixture(autouse=True)
def fresh_calls():
    calls.clear()


def age(key: str, seconds: float) -> None:
    value, built_at = cache.get(key)
    cache.set(key, (value, built_at - seconds), 300)


def test_the_first_reader_builds_and_the_next_ones_read_the_copy():
    assert get_cached("k", BUILDER, ["v"], 10) == "v1"
    assert get_cached("k", BUILDER, ["v"], 10) == "v1"
    assert calls == ["v"]


def test_an_old_copy_is_served_while_the_worker_builds_the_next():
    # given a copy past its refresh age, and a broker that holds the task for a worker
    get_cached("k", BUILDER, ["v"], 10)
    age("k", 11)

    with mock.patch.object(rebuild_cached, "apply_async") as asked:
        # then every reader gets the old copy at once, and one rebuild is asked for
        assert get_cached("k", BUILDER, ["v"], 10) == "v1"
        assert get_cached("k", BUILDER, ["v"], 10) == "v1"

    asked.assert_called_once_with(("k", BUILDER, ["v"]), queue="live", expires=30)
    assert calls == ["v"]

    # when the worker runs the task, the next reader gets the new copy and the lock is free
    rebuild_cached(*asked.call_args.args[0])
    assert get_cached("k", BUILDER, ["v"], 10) == "v2"
    assert cache.get("k:rebuild") is None


def test_with_an_eager_worker_the_reader_after_the_rebuild_gets_the_new_copy():
    get_cached("k", BUILDER, ["v"], 10)
    age("k", 11)

    assert get_cached("k", BUILDER, ["v"], 10) == "v1"
    assert get_cached("k", BUILDER, ["v"], 10) == "v2"


def test_a_document_that_is_gone_is_dropped_by_the_worker():
    get_cached("k", BUILDER, ["v"], 10)

    rebuild_cached("k", MISSING, ["v"])

    assert cache.get("k") is None
    assert cache.get("k:rebuild") is None
    with pytest.raises(Http404):
        get_cached("k", MISSING, ["v"], 10)
    assert cache.get("k") is None


def test_without_a_broker_the_old_copy_is_served():
    get_cached("k", BUILDER, ["v"], 10)
    age("k", 11)

    with mock.patch.object(rebuild_cached, "apply_async", side_effect=OperationalError("down")):
        assert get_cached("k", BUILDER, ["v"], 10) == "v1"

    assert calls == ["v"]


def test_with_no_copy_a_reader_waits_for_the_one_being_built():
    # given another reader building the first copy (it holds the lock)
    cache.add("k:rebuild", 1, 30)

    def other_reader_stores_it(_seconds):
        cache.set("k", ("theirs", 0.0), 300)

    # then this reader waits for that copy instead of building its own
    with mock.patch("streetwave.core.cache.time.sleep", side_effect=other_reader_stores_it):
        assert get_cached("k", BUILDER, ["v"], 10) == "theirs"
    assert calls == []


def test_with_no_copy_a_reader_builds_it_when_the_builder_takes_too_long():
    # given a lock that nobody frees (the reader holding it died)
    cache.add("k:rebuild", 1, 30)

    # then after the wait this reader builds the copy itself
    with (
        mock.patch("streetwave.core.cache.COLD_WAIT_SECONDS", 0.2),
        mock.patch("streetwave.core.cache.COLD_POLL_SECONDS", 0.01),
    ):
        assert get_cached("k", BUILDER, ["v"], 10) == "v1"


def test_a_missing_document_frees_the_lock_for_the_next_reader():
    with pytest.raises(Http404):
        get_cached("k", MISSING, ["v"], 10)

    assert cache.get("k:rebuild") is None
    assert cache.get("k") is None


class Dated(str):
    """A value that goes out of date at `changes_at`, as a live document does."""

    changes_at: float


def build_dated(name: str) -> Dated:
    value = Dated(build(name))
    value.changes_at = time.time() + 60
    return value


DATED = "streetwave.core.tests.test_cache.build_dated"


def pass_changes_at(key: str, seconds: float) -> None:
    """Move the value's moment of change `seconds` into the past (the copy itself stays young)."""
    value, built_at = cache.get(key)
    value.changes_at = time.time() - seconds
    cache.set(key, (value, built_at), 300)


def test_a_young_copy_past_its_moment_of_change_asks_for_the_next_one():
    # given a copy built a moment ago, whose content changed a second ago
    get_cached("k", DATED, ["v"], 10)
    pass_changes_at("k", 1)

    with mock.patch.object(rebuild_cached, "apply_async") as asked:
        # then the reader still gets it, and the next copy is asked for without waiting 10 s
        assert get_cached("k", DATED, ["v"], 10) == "v1"

    asked.assert_called_once()


def test_a_copy_left_unread_long_past_its_moment_of_change_is_built_again_first():
    # given a copy whose content changed longer ago than a reader may be served it
    get_cached("k", DATED, ["v"], 10)
    pass_changes_at("k", OUTDATED_SECONDS + 1)

    # then the next reader gets a new copy, not the outdated one
    assert get_cached("k", DATED, ["v"], 10) == "v2"
    assert cache.get("k:rebuild") is None
