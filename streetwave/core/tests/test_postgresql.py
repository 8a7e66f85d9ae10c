"""core.postgresql: a kept connection that PostgreSQL closed is found by reading its socket,
without a query, and replaced before a request uses it."""

import time

import pytest
from django.db import connection, connections

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def kept():
    """A second connection to the test database, as a worker keeps one between requests."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    other = connections.create_connection("default")
    other.ensure_connection()
    yield other
    other.close()


def _terminate(backend_pid: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [backend_pid])


def test_a_healthy_connection_is_usable_and_sends_nothing(kept):
    # given a kept connection whose last statement is known
    with kept.cursor() as cursor:
        cursor.execute("SELECT 'the last statement'")

    # when it is checked
    assert kept.is_usable()

    # then the server saw no statement from it
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT query FROM pg_stat_activity WHERE pid = %s", [kept.connection.info.backend_pid]
        )
        assert cursor.fetchone() == ("SELECT 'the last statement'",)


def test_a_connection_the_server_closed_is_not_usable_and_is_replaced(kept):
    # given a kept connection whose backend PostgreSQL terminated while it was idle
    _terminate(kept.connection.info.backend_pid)
    deadline = time.monotonic() + 5
    while kept.is_usable() and time.monotonic() < deadline:
        time.sleep(0.05)

    # then it is found broken without a query
    assert not kept.is_usable()

    # and the check before a request's first query replaces it with one that works
    kept.health_check_done = False
    kept.close_if_health_check_failed()
    with kept.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
