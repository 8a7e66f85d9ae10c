"""The retention job of hubs (hourly from beat): deletes expired proposals and invitations.
Mails about hubs are rendered in `mails.py` and sent by the outbox."""

from celery import shared_task

from .services import erase_stale_hub_data as erase


@shared_task
def erase_stale_hub_data() -> dict[str, int]:
    return erase()
