"""An incident's optional photo: checked at once, processed by a task, fetched by its handlers.

A photo sent with an incident is often of the people who cause it, or of those it happened to:
it goes through the same safe-photo pipeline as a report-back's (core.images), with every face
covered (nobody at an incident consents to be shown) and no metadata. What can be refused
without decoding (the size, the format, a name or type that lies, data after the image) is
refused while the form is still open; the upload then waits in a private file (core.uploads)
until the task processes it, and is removed on every path. The stored copy is read only through
the view that checks who may handle the incident; every deletion of its row, by the incident's
retention (safety/datamap.py) or with the incident, deletes the file once it commits.
"""

from dataclasses import dataclass
from typing import Any

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from streetwave.audit.services import record
from streetwave.core import images
from streetwave.core.enqueue import enqueue_on_commit
from streetwave.core.images import PhotoRefused
from streetwave.core.locking import lock
from streetwave.core.uploads import (
    LEFTOVER_AFTER,
    PrivateUploads,
    delete_files_on_commit,
    store_whole,
)

from ..models import Incident, IncidentPhoto

UPLOADS = PrivateUploads("incidents")


@dataclass(frozen=True)
class PhotoUpload:
    """A photo as the form received it: the bytes, and the name and type the browser gave."""

    data: bytes
    name: str
    content_type: str

    def check(self) -> None:
        """Refuse at once what needs no decoding, as an error of the form's photo field."""
        try:
            images.check_upload(self.data, declared_name=self.name, declared_type=self.content_type)
        except PhotoRefused as refused:
            raise type(refused)(field="photo") from refused


def attach_photo(incident: Incident, upload: PhotoUpload) -> IncidentPhoto:
    """Inside the incident's transaction: the photo's row, its upload in a private file, and
    its task queued for after the commit."""
    photo = IncidentPhoto.objects.create(
        incident=incident, upload_name=upload.name[:200], upload_type=upload.content_type[:100]
    )
    UPLOADS.write(photo.public_id, upload.data)
    enqueue_on_commit(process_incident_photo_task, photo.pk)
    return photo


def process_incident_photo(photo_pk: int) -> IncidentPhoto | None:
    """Process a photo's upload, every face covered, and store the result only. The upload is
    removed on every path but one: a disk too full to store the result leaves it for the sweep
    (core.uploads). Idempotent: a photo no longer processing is left as it is."""
    photo = IncidentPhoto.objects.filter(pk=photo_pk).first()
    if photo is None:
        return None
    with UPLOADS.taken(photo.public_id) as path:
        if photo.state != IncidentPhoto.State.PROCESSING:
            return photo
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return _finish(photo, failure=images.TruncatedPhoto.__name__)
        try:
            result = images.process_photo(
                data, declared_name=photo.upload_name, declared_type=photo.upload_type
            )
        except PhotoRefused as refused:
            return _finish(photo, failure=type(refused).__name__)
        return _finish(photo, result=result)
    return None


def _finish(
    photo: IncidentPhoto, *, result: images.ProcessedPhoto | None = None, failure: str = ""
) -> IncidentPhoto:
    with transaction.atomic():
        current: IncidentPhoto = (
            lock(IncidentPhoto.objects.filter(pk=photo.pk)).select_related("incident").get()
        )
        if current.state != IncidentPhoto.State.PROCESSING:
            return current
        current.upload_name, current.upload_type = "", ""
        if result is None:
            current.state, current.failure = IncidentPhoto.State.FAILED, failure
        else:
            store_whole([(current.file, "photo.jpg", result.data)])
            current.state = IncidentPhoto.State.READY
            current.width, current.height = result.width, result.height
        current.save()
        # Counts and kinds only: what the photo shows is nobody's business but its handlers'.
        record(
            "incident.photo_processed" if result is not None else "incident.photo_failed",
            target=current.incident,
            data={
                "photo": current.public_id,
                "masked": len(result.masked) if result is not None else 0,
                **({"failure": failure} if failure else {}),
            },
        )
    return current


def photo_failure(photo: IncidentPhoto) -> str:
    """Why the photo could not be used, in the reader's language."""
    return images.refusal_message(photo.failure)


def remove_incident_photo_files(
    sender: type[IncidentPhoto], instance: IncidentPhoto, **kwargs: Any
) -> None:
    """post_delete of an incident's photo (connected in apps.py): its file and its waiting
    upload go once the deletion commits, whatever deleted it."""
    delete_files_on_commit((instance.file,), uploads=UPLOADS, public_id=instance.public_id)


def sweep_incident_photo_uploads() -> int:
    """Remove uploads nobody will process, process those a lost task left waiting, and fail
    photos whose upload is lost. Returns how many uploads were removed."""
    waiting = dict(
        IncidentPhoto.objects.filter(state=IncidentPhoto.State.PROCESSING).values_list(
            "public_id", "pk"
        )
    )
    removed = UPLOADS.sweep(waiting, process_incident_photo)
    for photo in IncidentPhoto.objects.filter(
        state=IncidentPhoto.State.PROCESSING, created_at__lt=timezone.now() - LEFTOVER_AFTER
    ):
        _finish(photo, failure=images.TruncatedPhoto.__name__)
    return removed


# Defined beside the service it runs, as report-backs do, so that reporting can queue it;
# tasks.py imports it, where Celery finds it.
@shared_task(
    name="streetwave.safety.tasks.process_incident_photo",
    acks_late=True,
    reject_on_worker_lost=True,
)
def process_incident_photo_task(photo_pk: int) -> None:
    process_incident_photo(photo_pk)
