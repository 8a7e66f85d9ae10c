"""Scheduled work on actions and RSVPs. Mails to supporters are rendered in `messages.py` and
sent by the outbox (streetwave.broadcasts)."""

from celery import shared_task


@shared_task
def erase_expired_personal_data() -> int:
    from .services import erase_expired_personal_data as erase

    return erase()
