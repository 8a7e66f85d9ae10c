"""Scheduled work on actions and RSVPs. Mails to supporters are rendered in `mails.py` and
sent by the outbox (streetwave.outbox)."""

from celery import shared_task

from .services import queue_due_reminders as queue


@shared_task
def queue_due_reminders() -> int:
    """Every minute from beat: reminders and reveals of the meeting point whose time has come.
    Safe to run twice or to overlap: each moment is queued once (services/reminders.py)."""
    return queue()
