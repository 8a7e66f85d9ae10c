"""Outbox work for Celery.

- `send_deliveries`, after the writer's commit: sends one batch. Acknowledged only after it
  ran (`acks_late`) and handed back to the queue when its worker dies, so a batch survives a
  killed worker; the claim in the outbox keeps a batch that runs twice from sending twice.
- `sweep_outbox`, every minute from beat: recovers deliveries of dead workers and lost tasks.
- `send_scheduled_broadcasts`, every minute from beat: queues broadcasts whose time has come.
- `erase_old_messages`, hourly from beat: deletes finished messages after the retention time.
"""

from celery import shared_task
from django.db import DatabaseError

from . import outbox


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=True,
    max_retries=8,
)
def send_deliveries(delivery_ids: list[int]) -> dict[str, int]:
    return outbox.send_deliveries(delivery_ids)


@shared_task
def sweep_outbox() -> dict[str, int]:
    return outbox.sweep()


@shared_task
def erase_old_messages() -> int:
    return outbox.erase_old_messages()


@shared_task
def send_scheduled_broadcasts() -> int:
    from .services import send_scheduled_broadcasts as send

    return send()
