"""Which reads the router sends to a read replica (core.replica): those of an anonymous GET to a
page without a secret link, outside a transaction, while the replica is fresh. Against a real
streaming replica: bench/test_multinode.py."""

import pytest
from django.db import DatabaseError, transaction

from streetwave.core import replica

# A test of the usual kind runs inside a transaction, where every read stays on the primary.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def asked(settings, monkeypatch):
    """The router in place, with a replica that is never fresh (so every read still lands on
    the test database); records each time a read asked for it."""
    settings.DATABASE_ROUTERS = ["streetwave.core.replica.ReplicaRouter"]
    calls = []

    def not_fresh():
        calls.append(True)
        return False

    monkeypatch.setattr(replica, "replica_is_fresh", not_fresh)
    return calls


def test_an_anonymous_public_page_reads_from_the_replica_when_fresh(client, campaign, asked):
    assert client.get(f"/en/c/{campaign.slug}/").status_code == 200
    assert asked


def test_a_signed_in_reader_posts_and_secret_links_stay_on_the_primary(
    client, campaign, asked, make_user, login
):
    client.get("/en/rsvp/no-such-token/")
    client.post(f"/en/c/{campaign.slug}/")
    assert not asked

    login(client, make_user())
    client.get(f"/en/c/{campaign.slug}/")
    assert not asked


def test_reads_inside_a_transaction_stay_on_the_primary(monkeypatch):
    monkeypatch.setattr(replica, "replica_is_fresh", lambda: True)
    router = replica.ReplicaRouter()
    marked = replica._public_read.set(True)
    try:
        assert router.db_for_read(None) == "replica"
        with transaction.atomic():
            assert router.db_for_read(None) == "default"
    finally:
        replica._public_read.reset(marked)
    assert router.db_for_read(None) == "default"
    assert router.db_for_write(None) == "default"
    assert router.allow_migrate("replica", "actions") is False


@pytest.mark.parametrize(
    ("lag", "fresh"), [(0.0, True), (5.0, True), (5.1, False), (float("inf"), False)]
)
def test_a_replica_behind_by_more_than_the_bound_is_left_alone(monkeypatch, settings, lag, fresh):
    settings.REPLICA_MAX_LAG_SECONDS = 5
    monkeypatch.setattr(replica, "_freshness", (float("-inf"), not fresh))
    monkeypatch.setattr(replica, "replica_lag", lambda: lag)
    assert replica.replica_is_fresh() is fresh


def test_the_replica_is_asked_at_most_once_a_second_and_a_silent_one_is_not_fresh(
    monkeypatch, settings
):
    settings.REPLICA_MAX_LAG_SECONDS = 5
    now = [100.0]
    asked = []

    def silent():
        asked.append(now[0])
        raise DatabaseError("connection refused")

    monkeypatch.setattr(replica.time, "monotonic", lambda: now[0])
    monkeypatch.setattr(replica, "_freshness", (float("-inf"), True))
    monkeypatch.setattr(replica, "replica_lag", silent)

    assert replica.replica_is_fresh() is False
    now[0] += 0.5
    assert replica.replica_is_fresh() is False
    now[0] += 0.6
    assert replica.replica_is_fresh() is False
    assert asked == [100.0, 101.1]
