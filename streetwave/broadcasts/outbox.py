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
from collections import defaultdict
from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from streetwave.core.ids import new_token

from .channels import CHANNELS, Envelope, PermanentFailure, TemporaryFailure
from .models import Delivery, Message

Renderer = Callable[[Message, list[Delivery]], dict[int, Envelope]]
RENDERERS: dict[str, Renderer] = {}


def renderer(kind: str):
    def register(function: Renderer) -> Renderer:
        RENDERERS[kind] = function
        return function

    return register


def recipient_ids(deliveries: Iterable[Delivery], kind: str) -> dict[int, int]:
    """{delivery id: row id} for the deliveries whose recipient is "<kind>:<row id>"."""
    prefix = f"{kind}:"
    return {
        delivery.pk: int(delivery.recipient.removeprefix(prefix))
        for delivery in deliveries
        if delivery.recipient.startswith(prefix)
    }


def queue_message(
    kind: str, recipients: Iterable[str], *, key: str = "", data: dict | None = None
) -> Message | None:
    """Create a message and one email delivery per recipient ("rsvp:12"), to be sent after the
    surrounding transaction commits. A message whose key was queued before is not queued again
    (None is returned), which makes scheduled messages exactly-once; without a key the message
    is new by construction."""
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
    schedule_sending([delivery.pk for delivery in deliveries])
    return message


def schedule_sending(delivery_ids: list[int], *, countdown: float | None = None) -> None:
    from .tasks import send_deliveries

    size = settings.OUTBOX_BATCH_SIZE
    batches = [delivery_ids[i : i + size] for i in range(0, len(delivery_ids), size)]

    def enqueue():
        for batch in batches:
            send_deliveries.apply_async((batch,), countdown=countdown)

    transaction.on_commit(enqueue)


def _claim(delivery_ids: list[int], now: dt.datetime) -> list[Delivery]:
    claim = new_token()[:32]
    Delivery.objects.filter(
        pk__in=delivery_ids, status=Delivery.Status.QUEUED, next_attempt_at__lte=now
    ).update(
        status=Delivery.Status.SENDING, claim=claim, claimed_at=now, attempts=F("attempts") + 1
    )
    return list(Delivery.objects.filter(claim=claim).select_related("message").order_by("pk"))


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
        for pk, error in failed.items():
            ours.filter(pk=pk).update(status=Delivery.Status.FAILED, last_error=error[:120])
        later: dict[dt.timedelta, list[int]] = defaultdict(list)
        for pk, error in retry.items():
            if attempts[pk] >= settings.OUTBOX_MAX_ATTEMPTS:
                ours.filter(pk=pk).update(status=Delivery.Status.FAILED, last_error=error[:120])
                continue
            wait = _backoff(attempts[pk])
            ours.filter(pk=pk).update(
                status=Delivery.Status.QUEUED, next_attempt_at=now + wait, last_error=error[:120]
            )
            later[wait].append(pk)
        for wait, ids in later.items():
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
        sending = Delivery.objects.filter(status=Delivery.Status.SENDING)
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
        Delivery.objects.filter(pk__in=lost).update(next_attempt_at=now)
        schedule_sending(released + lost)
    return {"released": len(released), "rescheduled": len(lost), "failed": len(given_up)}
