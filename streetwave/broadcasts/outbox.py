"""The outbox: queue a message to many recipients inside a writer's transaction, send the
deliveries from workers after commit, and recover from anything in between.

Sending one delivery moves it queued → sending (claimed by one task run, with a time) → sent,
skipped, failed, or back to queued for a later attempt. The claim is a conditional update, so
two task runs for the same deliveries never both send one; a worker killed while sending
leaves its claims in "sending", and the sweeper puts them back in the queue after the lease.
A mail already handed to the server when the worker died is therefore sent once more, with the
same Message-ID; that is the only way a duplicate can happen, and only for deliveries that were
in flight.

Apps say how each kind of message renders with `@renderer("<kind>")`: a function taking the
message and a batch of its deliveries and returning an Envelope per delivery id (a delivery
left out is skipped: its recipient no longer needs it).
"""

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from streetwave.core.enqueue import enqueue_on_commit
from streetwave.core.ids import new_token

from .channels import CHANNELS, Envelope, PermanentFailure, TemporaryFailure
from .models import Delivery, Message

logger = logging.getLogger(__name__)
# Workers consume it beside the default queue (settings.CELERY_TASK_QUEUES), taking from each
# in turn.
BULK_QUEUE = "bulk"

Renderer = Callable[[Message, list[Delivery]], dict[int, Envelope]]
RENDERERS: dict[str, Renderer] = {}


def renderer(kind: str):
    def register(function: Renderer) -> Renderer:
        RENDERERS[kind] = function
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
    data: dict | None = None,
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
    from .tasks import send_deliveries

    size = settings.OUTBOX_BATCH_SIZE
    for start in range(0, len(delivery_ids), size):
        enqueue_on_commit(
            send_deliveries, delivery_ids[start : start + size], countdown=countdown, queue=queue
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


def _render(deliveries: list[Delivery]) -> tuple[dict[int, Envelope], dict[int, str]]:
    """Envelopes by delivery id, and the errors of deliveries whose rendering failed."""
    by_message: dict[int, list[Delivery]] = defaultdict(list)
    for delivery in deliveries:
        by_message[delivery.message_id].append(delivery)
    envelopes: dict[int, Envelope] = {}
    errors: dict[int, str] = {}
    for batch in by_message.values():
        message = batch[0].message
        try:
            envelopes.update(RENDERERS[message.kind](message, batch))
        # One broken message must not stop the others in the batch.
        except Exception as exc:
            logger.exception("rendering failed: kind %s, message %s", message.kind, message.pk)
            errors.update((delivery.pk, f"render: {type(exc).__name__}") for delivery in batch)
    return envelopes, errors


def _backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(30 * 2 ** (attempts - 1), 3600))


def send_deliveries(delivery_ids: list[int]) -> dict[str, int]:
    """Send what is still queued among `delivery_ids`; returns counts by outcome."""
    deliveries = _claim(delivery_ids, timezone.now())
    if not deliveries:
        return {}
    envelopes, errors = _render(deliveries)
    sent: list[int] = []
    failed: dict[int, str] = {}
    retry: dict[int, str] = dict(errors)
    by_channel: dict[str, list[Delivery]] = defaultdict(list)
    for delivery in deliveries:
        if delivery.pk in envelopes:
            by_channel[delivery.channel].append(delivery)
    for name, batch in by_channel.items():
        channel = CHANNELS[name]
        try:
            with channel.session() as session:
                for delivery in batch:
                    try:
                        channel.send(
                            session,
                            envelopes[delivery.pk],
                            message_id=channel.message_id(delivery.public_id),
                        )
                    except PermanentFailure as exc:
                        failed[delivery.pk] = str(exc)
                    except TemporaryFailure as exc:
                        retry[delivery.pk] = str(exc)
                    # A mail that cannot even be built (a line break in a header) must not
                    # leave the batch unrecorded: its mails already sent would go again.
                    except Exception as exc:
                        retry[delivery.pk] = type(exc).__name__
                    else:
                        sent.append(delivery.pk)
        except TemporaryFailure as exc:
            retry.update((d.pk, str(exc)) for d in batch if d.pk not in sent and d.pk not in failed)
    skipped = [d.pk for d in deliveries if d.pk not in envelopes and d.pk not in errors]
    _record(deliveries, sent=sent, skipped=skipped, failed=failed, retry=retry)
    return {"sent": len(sent), "skipped": len(skipped), "failed": len(failed), "retry": len(retry)}


def _record(deliveries: list[Delivery], *, sent, skipped, failed, retry) -> None:
    now = timezone.now()
    claim = deliveries[0].claim
    ours = Delivery.objects.filter(status=Delivery.Status.SENDING, claim=claim)
    with transaction.atomic():
        # Sent is recorded even if the sweeper took the delivery back meanwhile (a worker slower
        # than the lease): that keeps it from being sent again.
        Delivery.objects.filter(pk__in=sent).exclude(status=Delivery.Status.SENT).update(
            status=Delivery.Status.SENT, sent_at=now, last_error=""
        )
        ours.filter(pk__in=skipped).update(status=Delivery.Status.SKIPPED)
        attempts = {delivery.pk: delivery.attempts for delivery in deliveries}
        # One update per outcome and error, not per delivery: when the server goes away, a
        # whole batch comes back with the same error.
        given_up: dict[str, list[int]] = defaultdict(list)
        later: dict[tuple[dt.timedelta, str], list[int]] = defaultdict(list)
        for pk, error in failed.items():
            given_up[error[:120]].append(pk)
        for pk, error in retry.items():
            if attempts[pk] >= settings.OUTBOX_MAX_ATTEMPTS:
                given_up[error[:120]].append(pk)
            else:
                later[(_backoff(attempts[pk]), error[:120])].append(pk)
        for error, ids in given_up.items():
            ours.filter(pk__in=ids).update(status=Delivery.Status.FAILED, last_error=error)
        waits: dict[dt.timedelta, list[int]] = defaultdict(list)
        for (wait, error), ids in later.items():
            ours.filter(pk__in=ids).update(
                status=Delivery.Status.QUEUED, next_attempt_at=now + wait, last_error=error
            )
            waits[wait] += ids
        for wait, ids in waits.items():
            schedule_sending(ids, countdown=wait.total_seconds())


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
            status=Delivery.Status.FAILED, last_error="lease expired"
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


def erase_old_messages(now: dt.datetime | None = None) -> int:
    """Delete messages older than OUTBOX_RETENTION_DAYS whose deliveries are all done, with
    their deliveries: which RSVP got which message is not kept longer than the RSVP's own
    personal data. Broadcasts keep their texts and recipient counts."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.OUTBOX_RETENTION_DAYS)
    unfinished = Delivery.objects.filter(
        message=OuterRef("pk"), status__in=[Delivery.Status.QUEUED, Delivery.Status.SENDING]
    )
    old = Message.objects.filter(created_at__lt=cutoff).exclude(Exists(unfinished))
    erased, _by_model = old.delete()
    return erased
