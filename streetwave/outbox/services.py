"""The outbox: queue a message to many recipients inside a writer's transaction, send the
deliveries from workers after commit, and recover from anything in between.

Sending one delivery moves it queued → sending (claimed by one task run, with a time) → sent,
skipped, failed, or back to queued for a later attempt. The claim is a conditional update, so
two task runs for the same deliveries never both send one. Just before each mail leaves, the
run checks that it still holds the delivery and renews its lease; just after, it records the
outcome. The sweeper puts deliveries still "sending" after the lease back in the queue: those
of a worker that died, and the mails not yet started of a batch slower than the lease, which
the slow run then leaves alone. A mail is therefore sent twice only when its own hand-over was
cut short after the server took it (the worker died before recording it) or outlasted the
lease; the copy carries the same Message-ID, and the same links (`delivery_secret`).

A refusal of the address fails the delivery; a busy recipient's server (4xx) means a later
attempt, up to OUTBOX_MAX_ATTEMPTS. Failures of our own server (unreachable, refusing our
sender or our mail: a quota, a policy) are nobody's address's fault: they use up no attempt,
are logged as errors for the operators, and the deliveries wait for the server up to
OUTBOX_MAX_AGE_HOURS. A mail that cannot be built or rendered fails at once, since every
attempt would fail the same way.

Apps say how each kind of message renders with `@renderer("<kind>")`: a function taking the
message and a batch of its deliveries and returning an Envelope per delivery id (a delivery
left out is skipped: its recipient no longer needs it).
"""

import datetime as dt
import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from streetwave.core.enqueue import enqueue_on_commit
from streetwave.core.ids import new_token
from streetwave.core.locking import lock

from .channels import (
    CHANNELS,
    ConnectionLost,
    EmailChannel,
    Envelope,
    PermanentFailure,
    ServerFailure,
    TemporaryFailure,
)
from .discretion import DISCREET_KINDS, make_discreet
from .models import Delivery, Message

logger = logging.getLogger(__name__)
# Workers consume it beside the default queue (settings.CELERY_TASK_QUEUES), taking from each
# in turn.
BULK_QUEUE = "bulk"

Renderer = Callable[[Message, list[Delivery]], dict[int, Envelope]]
RENDERERS: dict[str, Renderer] = {}


def renderer(kind: str, *, discreet: bool = False) -> Callable[[Renderer], Renderer]:
    """Register how mails of `kind` render; `discreet` when they name no hub, place, action or
    person by construction, so that recipients at risk get them as rendered (discretion.py)."""

    def register(function: Renderer) -> Renderer:
        RENDERERS[kind] = function
        if discreet:
            DISCREET_KINDS.add(kind)
        return function

    return register


def recipient(kind: str, pk: int) -> str:
    """How a delivery names its recipient: the row `pk` of `kind` ("rsvp", "user", ...)."""
    return f"{kind}:{pk}"


def recipient_ids(deliveries: Iterable[Delivery], kind: str) -> dict[int, int]:
    """{delivery id: row id} for the deliveries whose recipient is "<kind>:<row id>"."""
    prefix = f"{kind}:"
    return {
        delivery.pk: int(delivery.recipient.removeprefix(prefix))
        for delivery in deliveries
        if delivery.recipient.startswith(prefix)
    }


def queue_message(
    kind: str,
    recipients: Iterable[str],
    *,
    key: str = "",
    data: dict[str, Any] | None = None,
    bulk: bool = False,
) -> Message | None:
    """Create a message and one email delivery per recipient ("rsvp:12"), to be sent after the
    surrounding transaction commits. A message whose key was queued before is not queued again
    (None is returned), which makes scheduled messages exactly-once; without a key the message
    is new by construction. `bulk` messages (a campaign's broadcasts) are sent from a queue of
    their own, so that a reminder or an emergency notice never waits behind thousands of them."""
    if key:
        try:
            with transaction.atomic():
                message = Message.objects.create(kind=kind, key=key, data=data or {})
        except IntegrityError:
            return None
    else:
        message = Message.objects.create(
            kind=kind, key=f"{kind}:{new_token()[:32]}", data=data or {}
        )
    deliveries = Delivery.objects.bulk_create(
        Delivery(message=message, recipient=recipient) for recipient in dict.fromkeys(recipients)
    )
    schedule_sending([delivery.pk for delivery in deliveries], queue=BULK_QUEUE if bulk else None)
    return message


def schedule_sending(
    delivery_ids: list[int], *, countdown: float | None = None, queue: str | None = None
) -> None:
    size = settings.OUTBOX_BATCH_SIZE
    for start in range(0, len(delivery_ids), size):
        enqueue_on_commit(
            send_deliveries_task,
            delivery_ids[start : start + size],
            countdown=countdown,
            queue=queue,
        )


def _claim(delivery_ids: list[int], now: dt.datetime) -> list[Delivery]:
    claim = new_token()[:32]
    Delivery.objects.filter(
        pk__in=delivery_ids, status=Delivery.Status.QUEUED, next_attempt_at__lte=now
    ).update(
        status=Delivery.Status.SENDING, claim=claim, claimed_at=now, attempts=F("attempts") + 1
    )
    # By primary key first: the claim column has no index, and the table holds every delivery.
    claimed = Delivery.objects.filter(pk__in=delivery_ids, claim=claim)
    return list(claimed.select_related("message").order_by("pk"))


def _still_ours(delivery: Delivery) -> bool:
    """Whether this run still holds `delivery`, renewing its lease from now if so. Asked just
    before each mail leaves: in a batch slower than the lease, the sweeper hands the mails not
    yet started to another run, and this one must leave them alone."""
    return bool(
        Delivery.objects.filter(
            pk=delivery.pk, status=Delivery.Status.SENDING, claim=delivery.claim
        ).update(claimed_at=timezone.now())
    )


def delivery_secret(delivery: Delivery, make: Callable[[], str]) -> str:
    """A secret the mail of `delivery` carries (the token of a link): made by `make` at its
    first rendering and the same at every later one, so that a mail sent again (its worker
    died after the server took it) carries the same working link. It is kept encrypted on the
    delivery and erased once the delivery is finished."""
    with transaction.atomic():
        # Locked, so that two runs rendering one delivery (a lease that ran out mid-send) agree.
        stored: str = lock(Delivery.objects.filter(pk=delivery.pk)).only("secret").get().secret
        if stored:
            return stored
        secret = make()
        Delivery.objects.filter(pk=delivery.pk).update(secret=secret)
    return secret


def _backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(30 * 2 ** (attempts - 1), 3600))


def _deferral(waited: dt.timedelta) -> dt.timedelta:
    """How long deliveries wait after a failure of the server, which uses up no attempt: as
    long again as they have waited already (so the waits double), from 30 s to an hour."""
    return min(max(waited, dt.timedelta(seconds=30)), dt.timedelta(hours=1))


class _Run:
    """One run of send_deliveries: records each outcome as soon as it is known, and at the end
    tells operators of the server's failures and schedules the next attempts."""

    def __init__(self, claim: str):
        self.claim = claim
        self.now = timezone.now()
        self.counts = {"sent": 0, "skipped": 0, "failed": 0, "retry": 0}
        self.later: dict[dt.timedelta, list[int]] = defaultdict(list)
        self.server_failures: Counter[str] = Counter()

    def _ours(self, deliveries: list[Delivery]) -> QuerySet[Delivery]:
        return Delivery.objects.filter(
            pk__in=[d.pk for d in deliveries], status=Delivery.Status.SENDING, claim=self.claim
        )

    def sent(self, delivery: Delivery) -> None:
        # Recorded even if the sweeper took the delivery back meanwhile (this one mail outlasted
        # the lease): that keeps it from being sent again.
        Delivery.objects.filter(pk=delivery.pk).exclude(status=Delivery.Status.SENT).update(
            status=Delivery.Status.SENT, sent_at=timezone.now(), last_error="", secret=None
        )
        self.counts["sent"] += 1

    def skipped(self, deliveries: list[Delivery]) -> None:
        if deliveries:
            self.counts["skipped"] += self._ours(deliveries).update(
                status=Delivery.Status.SKIPPED, secret=None
            )

    def failed(self, deliveries: list[Delivery], error: str) -> int:
        if not deliveries:
            return 0
        count = self._ours(deliveries).update(
            status=Delivery.Status.FAILED, last_error=error[:120], secret=None
        )
        self.counts["failed"] += count
        return count

    def retry(self, deliveries: list[Delivery], error: str) -> None:
        """The delivery's own temporary failure: another attempt after a backoff, unless it has
        had its last."""
        given_up = [d for d in deliveries if self._too_late(d)]
        self.failed(given_up, error)
        by_attempts: dict[int, list[Delivery]] = defaultdict(list)
        for delivery in deliveries:
            if delivery not in given_up:
                by_attempts[delivery.attempts].append(delivery)
        for attempts, batch in by_attempts.items():
            self._queue(batch, _backoff(attempts), error)

    def defer(self, deliveries: list[Delivery], error: str) -> None:
        """The server's failure: another attempt later, without using one up."""
        expired = [d for d in deliveries if self._too_old(d)]
        waiting = [d for d in deliveries if d not in expired]
        count = self.failed(expired, error)
        if waiting:
            oldest = min(d.created_at for d in waiting)
            wait = _deferral(self.now - oldest)
            count += self._queue(waiting, wait, error, attempts=F("attempts") - 1)
        self.server_failures[error] += count

    def _queue(
        self, deliveries: list[Delivery], wait: dt.timedelta, error: str, **extra: Any
    ) -> int:
        count = self._ours(deliveries).update(
            status=Delivery.Status.QUEUED,
            next_attempt_at=timezone.now() + wait,
            last_error=error[:120],
            **extra,
        )
        self.counts["retry"] += count
        self.later[wait] += [d.pk for d in deliveries]
        return count

    def _too_old(self, delivery: Delivery) -> bool:
        return self.now - delivery.created_at >= dt.timedelta(hours=settings.OUTBOX_MAX_AGE_HOURS)

    def _too_late(self, delivery: Delivery) -> bool:
        return delivery.attempts >= settings.OUTBOX_MAX_ATTEMPTS or self._too_old(delivery)

    def finish(self) -> dict[str, int]:
        for error, count in self.server_failures.items():
            if not count:
                continue
            # No address: the server's own text (which can quote one) never gets this far.
            logger.error(
                "mail server failure (%s): %d deliveries of this batch not sent, tried again "
                "later for up to %d hours after they were queued",
                error,
                count,
                settings.OUTBOX_MAX_AGE_HOURS,
            )
        for wait, ids in self.later.items():
            schedule_sending(ids, countdown=wait.total_seconds())
        return self.counts


def _render(deliveries: list[Delivery], run: _Run) -> dict[int, Envelope]:
    """Envelopes by delivery id. Deliveries whose message failed to render are recorded here:
    the database or a file that went away is worth another attempt; anything else (a bug, a
    line break in a header) would fail the same way at every attempt, so the delivery fails."""
    by_message: dict[int, list[Delivery]] = defaultdict(list)
    for delivery in deliveries:
        by_message[delivery.message_id].append(delivery)
    envelopes: dict[int, Envelope] = {}
    for batch in by_message.values():
        message = batch[0].message
        try:
            rendered = RENDERERS[message.kind](message, batch)
            # Recipients at risk get a mail that says nothing but its link (discretion.py).
            envelopes.update(make_discreet(message.kind, batch, rendered))
        # One broken message must not stop the others in the batch.
        except (DatabaseError, OSError) as exc:
            logger.warning("rendering failed: kind %s, message %s", message.kind, message.pk)
            run.retry(batch, f"render: {type(exc).__name__}")
        except Exception as exc:
            logger.exception("rendering failed: kind %s, message %s", message.kind, message.pk)
            run.failed(batch, f"render: {type(exc).__name__}")
        else:
            run.skipped([d for d in batch if d.pk not in envelopes])
    return envelopes


def send_deliveries(delivery_ids: list[int]) -> dict[str, int]:
    """Send what is still queued among `delivery_ids`; returns counts by outcome. Each outcome
    is recorded as soon as it is known, so a worker that dies mid-batch leaves in "sending" only
    the mail in flight and those not yet tried."""
    deliveries = _claim(delivery_ids, timezone.now())
    if not deliveries:
        return {}
    run = _Run(deliveries[0].claim)
    envelopes = _render(deliveries, run)
    by_channel: dict[str, list[Delivery]] = defaultdict(list)
    for delivery in deliveries:
        if delivery.pk in envelopes:
            by_channel[delivery.channel].append(delivery)
    for name, batch in by_channel.items():
        _send_batch(CHANNELS[name], batch, envelopes, run)
    return run.finish()


# Declared here rather than in tasks.py, because the outbox queues it itself (schedule_sending):
# tasks.py imports this module, never the other way round. Acknowledged only after it ran
# (`acks_late`) and handed back to the queue when its worker dies, so a batch survives a killed
# worker; the claim keeps a batch that runs twice from sending twice. The name is the one it had
# in the broadcasts app, so that batches already queued still run (docs/decisions/0001).
@shared_task(
    name="streetwave.broadcasts.tasks.send_deliveries",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=True,
    max_retries=8,
)
def send_deliveries_task(delivery_ids: list[int]) -> dict[str, int]:
    return send_deliveries(delivery_ids)


def _send_batch(
    channel: EmailChannel, batch: list[Delivery], envelopes: dict[int, Envelope], run: _Run
) -> None:
    try:
        with channel.session() as session:
            for position, delivery in enumerate(batch):
                if not _still_ours(delivery):
                    continue
                try:
                    channel.send(
                        session,
                        envelopes[delivery.pk],
                        message_id=channel.message_id(delivery.public_id),
                    )
                except ConnectionLost as exc:
                    run.defer(batch[position:], str(exc))
                    return
                except ServerFailure as exc:
                    run.defer([delivery], str(exc))
                except PermanentFailure as exc:
                    run.failed([delivery], str(exc))
                except TemporaryFailure as exc:
                    run.retry([delivery], str(exc))
                # A mail that cannot even be built (an invalid address) fails the same way at
                # every attempt; it must not stop the batch. Its text can quote the address.
                except Exception as exc:
                    error = type(exc).__name__
                    logger.warning("mail not built: delivery %s, %s", delivery.public_id, error)
                    run.failed([delivery], error)
                else:
                    run.sent(delivery)
    # The session did not open: nothing was tried.
    except ServerFailure as exc:
        run.defer(batch, str(exc))


# Bounded work per sweep: a larger backlog is taken over the following sweeps.
SWEEP_LIMIT = 5000


def sweep() -> dict[str, int]:
    """Put deliveries held by a dead worker back in the queue, and schedule queued deliveries
    whose task was lost (a broker restart, a worker killed before it started them)."""
    now = timezone.now()
    expired = now - dt.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    with transaction.atomic():
        stuck = list(
            Delivery.objects.filter(status=Delivery.Status.SENDING, claimed_at__lt=expired)
            .values_list("pk", "attempts")
            .order_by("pk")[:SWEEP_LIMIT]
        )
        given_up = [pk for pk, attempts in stuck if attempts >= settings.OUTBOX_MAX_ATTEMPTS]
        released = [pk for pk, attempts in stuck if attempts < settings.OUTBOX_MAX_ATTEMPTS]
        # The lease is checked again: a delivery released by an earlier sweep may have been
        # claimed anew since it was read, and is being sent right now.
        sending = Delivery.objects.filter(status=Delivery.Status.SENDING, claimed_at__lt=expired)
        sending.filter(pk__in=given_up).update(
            status=Delivery.Status.FAILED, last_error="lease expired", secret=None
        )
        sending.filter(pk__in=released).update(
            status=Delivery.Status.QUEUED, claim="", next_attempt_at=now
        )
        lost = list(
            Delivery.objects.filter(status=Delivery.Status.QUEUED, next_attempt_at__lt=expired)
            .values_list("pk", flat=True)
            .order_by("pk")[:SWEEP_LIMIT]
        )
        # Scheduled anew now, so looked at again only after another lease.
        Delivery.objects.filter(
            pk__in=lost, status=Delivery.Status.QUEUED, next_attempt_at__lt=expired
        ).update(next_attempt_at=now)
        schedule_sending(released + lost)
    return {"released": len(released), "rescheduled": len(lost), "failed": len(given_up)}
