"""What the outbox holds, for the operator's console: how many deliveries wait, wait again after
a failure, or failed for good, and how long the oldest has waited. Counts only: never a
recipient."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Min, Q

from .models import Delivery

Waiting = Q(status=Delivery.Status.QUEUED)
# A delivery queued again after a failed attempt keeps the kind of error it met.
Retrying = Waiting & ~Q(last_error="")


@dataclass(frozen=True)
class Backlog:
    # Waiting for their first attempt.
    queued: int
    # Waiting for another attempt after a failure (the mail server's, or theirs).
    retrying: int
    # Being sent by a worker now.
    sending: int
    # Given up on: too many attempts, or too old (kept until the outbox's retention ends).
    failed: int
    # When the delivery that has waited longest (queued or retrying) was queued.
    oldest_queued_at: dt.datetime | None


def outbox_backlog() -> Backlog:
    """The outbox's backlog in one query."""
    # Sent and skipped deliveries, the bulk of the table, are left out through its status index.
    unfinished = Delivery.objects.filter(
        status__in=[Delivery.Status.QUEUED, Delivery.Status.SENDING, Delivery.Status.FAILED]
    )
    found = unfinished.aggregate(
        waiting=Count("pk", filter=Waiting),
        retrying=Count("pk", filter=Retrying),
        sending=Count("pk", filter=Q(status=Delivery.Status.SENDING)),
        failed=Count("pk", filter=Q(status=Delivery.Status.FAILED)),
        oldest=Min("created_at", filter=Waiting),
    )
    return Backlog(
        queued=found["waiting"] - found["retrying"],
        retrying=found["retrying"],
        sending=found["sending"],
        failed=found["failed"],
        oldest_queued_at=found["oldest"],
    )
