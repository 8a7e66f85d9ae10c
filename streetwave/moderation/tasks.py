"""Background work of moderation: the retention of reporters' contacts."""

from celery import shared_task

from . import services


@shared_task
def erase_old_report_contacts() -> int:
    """Hourly (beat): erase the contacts of reports handled a month ago, or 90 days old."""
    return services.erase_old_report_contacts()
