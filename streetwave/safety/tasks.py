"""Safety's background work: an incident's photo is processed after the report commits, and a
sweep removes uploads nobody will process (core.uploads)."""

from celery import shared_task

from .services.photos import process_incident_photo_task, sweep_incident_photo_uploads

__all__ = ["process_incident_photo_task", "sweep_incident_photo_uploads_task"]


@shared_task(name="streetwave.safety.tasks.sweep_incident_photo_uploads")
def sweep_incident_photo_uploads_task() -> int:
    return sweep_incident_photo_uploads()
