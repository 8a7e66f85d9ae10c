"""Report-backs' background work: photos are processed after their upload commits, and a sweep
removes uploads nobody will process (docs/decisions/0007)."""

from celery import shared_task

from .services import process_photo_upload_task, sweep_photo_uploads

__all__ = ["process_photo_upload_task", "sweep_photo_uploads_task"]


@shared_task(name="streetwave.reportbacks.tasks.sweep_photo_uploads")
def sweep_photo_uploads_task() -> int:
    return sweep_photo_uploads()
