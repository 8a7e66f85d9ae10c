"""Schedule a Celery task for after the current transaction commits.

A task that runs before its data is committed sees nothing (or the old state); one scheduled
inside a transaction that rolls back must not run at all.
"""

from functools import partial

from django.db import transaction


def enqueue_on_commit(task, *ids, using: str | None = None) -> None:
    transaction.on_commit(partial(task.delay, *ids), using=using)
