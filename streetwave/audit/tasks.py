"""Scheduled work of the audit app: the one retention job, hourly from beat (and from the
embedded worker's beat in `make run`)."""

from celery import shared_task

from .services import erase_expired_personal_data as erase


@shared_task
def erase_expired_personal_data() -> dict[str, int]:
    return erase()
