"""A test that writes rows for the live server to show runs where the server sees the test's own
transaction: on SQLite, whose server shares the tests' connection (conftest's _start_server).
On PostgreSQL the server has a connection of its own, which cannot see what a test, rolled back
after it, never commits; such a test is skipped there, and the SQLite run covers it."""

import pytest
from django.db import connection

writes_rows_the_server_shows = pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="the live server cannot see the test's uncommitted rows on this database",
)
