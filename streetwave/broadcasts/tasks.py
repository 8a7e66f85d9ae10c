"""Broadcast work for Celery.

- `send_scheduled_broadcasts`, every minute from beat: queues broadcasts whose time has come.

The outbox's own tasks (sending, sweeping, erasing) are in streetwave.outbox.tasks.
"""

from celery import shared_task

from . import services


@shared_task
def send_scheduled_broadcasts() -> int:
    return services.send_scheduled_broadcasts()
