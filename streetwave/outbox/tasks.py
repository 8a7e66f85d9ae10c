"""Outbox work for Celery.

- `send_deliveries`, after the writer's commit: sends one batch. Declared in services.py, which
  queues it; acknowledged only after it ran (`acks_late`) and handed back to the queue when its
  worker dies, so a batch survives a killed worker; the claim in the outbox keeps a batch that
  runs twice from sending twice.
- `sweep_outbox`, every minute from beat: recovers deliveries of dead workers and lost tasks.

Each keeps the name it was registered under in the broadcasts app, so that what a queue already
holds, and the beat schedule, still find it (docs/decisions/0001-outbox-is-its-own-app.md).
"""

from celery import shared_task

from . import services
from .services import send_deliveries_task as send_deliveries

__all__ = ["send_deliveries", "sweep_outbox"]


@shared_task(name="streetwave.broadcasts.tasks.sweep_outbox")
def sweep_outbox() -> dict[str, int]:
    return services.sweep()
