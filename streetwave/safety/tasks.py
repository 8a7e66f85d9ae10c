"""Background work of safety: the retention of what incidents say."""

from celery import shared_task

from . import services


@shared_task
def erase_old_incidents() -> int:
    """Hourly (beat): erase the texts, contacts and notes of incidents resolved, or of actions
    ended, INCIDENT_RETENTION_DAYS ago; the counts stay."""
    return services.erase_old_incidents()
