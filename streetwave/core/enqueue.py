"""Schedule a Celery task for after the current transaction commits.

A task that runs before its data is committed sees nothing (or the old state); one scheduled
inside a transaction that rolls back must not run at all.
"""

from functools import partial

from django.db import transaction


def enqueue_on_commit(
    task, *args, countdown: float | None = None, queue: str | None = None
) -> None:
    # Without a queue the task goes where Celery routes it (the default queue).
    options = {"countdown": countdown} | ({"queue": queue} if queue else {})
    transaction.on_commit(partial(task.apply_async, args, **options))
