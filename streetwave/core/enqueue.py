"""Schedule a Celery task for after the current transaction commits.

A task that runs before its data is committed sees nothing (or the old state); one scheduled
inside a transaction that rolls back must not run at all.
"""

import logging
from typing import TYPE_CHECKING, Any

from django.db import transaction
from kombu.exceptions import OperationalError

if TYPE_CHECKING:
    from celery import Task

logger = logging.getLogger(__name__)


def enqueue_on_commit(
    task: "Task[..., Any]", *args: object, countdown: float | None = None, queue: str | None = None
) -> None:
    """`task.apply_async(args)` once the transaction commits. Only tasks whose work is also found
    by a sweep may come here: when the broker is down the data is committed already, so the
    request must still succeed, and the sweep (the outbox's, every minute) queues it later."""
    # Without a queue the task goes where Celery routes it (the default queue).
    options: dict[str, Any] = {"countdown": countdown} | ({"queue": queue} if queue else {})

    def publish() -> None:
        try:
            task.apply_async(args, **options)
        except OperationalError:
            logger.warning("enqueue: the broker did not take %s; its sweep will", task.name)

    transaction.on_commit(publish)
