"""Django's PostgreSQL backend, whose check of a kept connection costs no round trip.

Before a request's first query, Django checks the connection it kept from an earlier request
(CONN_HEALTH_CHECKS) with a `SELECT 1`: one more round trip and statement on every request, the
RSVP's included. A connection that PostgreSQL closed while it sat idle (a restart, a failover,
a terminated backend) has already said so on its socket: the server's notice, then the end of
the stream. Reading what waits there without blocking (libpq's PQconsumeInput) finds it, and
Django replaces a connection found broken before the request uses it, as after its own check.
"""

import psycopg
from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        pgconn = self.connection.pgconn
        try:
            pgconn.consume_input()
        except psycopg.OperationalError:
            return False
        return bool(pgconn.status == psycopg.pq.ConnStatus.OK)
