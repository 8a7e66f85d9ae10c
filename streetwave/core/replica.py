"""Public reads from a streaming replica, when the instance has one (`DATABASE_REPLICA_URL`).

Only what cannot go wrong on a copy a moment old goes there: the reads of an anonymous GET or
HEAD request (no session cookie) to a page without a secret link, made outside a transaction.
Everything else stays on the primary: every write, every read inside a transaction (the RSVP's
duplicate check must see the primary), an organizer's pages, and a manage link opened right
after its mail arrived (it may name a row the replica has not replayed yet).

The replica is asked at most once a second how far behind it is; past
`REPLICA_MAX_LAG_SECONDS`, or when it does not answer, reads go back to the primary until it
catches up (docs/deploy.md, "Read replicas").
"""

import contextvars
import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
log = logging.getLogger(__name__)

_public_read: contextvars.ContextVar[bool] = contextvars.ContextVar("public_read", default=False)
# (when it was asked, whether it was fresh enough), per process.
_freshness: tuple[float, bool] = (float("-inf"), False)

LAG_SQL = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
    ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 'Infinity')
END
"""


def replica_lag() -> float:
    """Seconds the replica's replayed data is behind what it has received (0 when caught up)."""
    with connections[REPLICA].cursor() as cursor:
        cursor.execute(LAG_SQL)
        return float(cursor.fetchone()[0])


def replica_is_fresh() -> bool:
    global _freshness  # one answer per process and second
    asked_at, fresh = _freshness
    now = time.monotonic()
    if now - asked_at < 1.0:
        return fresh
    try:
        fresh = replica_lag() <= settings.REPLICA_MAX_LAG_SECONDS
    except DatabaseError:
        log.warning("the read replica does not answer: reads go to the primary")
        fresh = False
    _freshness = (now, fresh)
    return fresh


class ReplicaRouter:
    """Sends the reads of a public request to the replica while it is fresh; everything else to
    the primary. Migrations run on the primary only (the replica copies them)."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        if _public_read.get() and not connections["default"].in_atomic_block:
            return REPLICA if replica_is_fresh() else "default"
        return "default"

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return "default"

    def allow_relation(self, first: Any, second: Any, **hints: Any) -> bool:
        # Both aliases hold the same database.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == "default"


class PublicReadsMiddleware:
    """Marks the request's reads as public ones the router may send to the replica: an anonymous
    GET or HEAD (no session cookie) to a view whose URL carries no secret link (`token`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        marked = _public_read.set(False)
        try:
            return self.get_response(request)
        finally:
            _public_read.reset(marked)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: dict[str, Any]
    ) -> None:
        anonymous = settings.SESSION_COOKIE_NAME not in request.COOKIES
        if request.method in ("GET", "HEAD") and anonymous and "token" not in kwargs:
            _public_read.set(True)
