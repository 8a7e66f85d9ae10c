"""A report-back's photos: upload, processing by a task, take-down, deletion of the files.

The upload is never stored: it waits in a private temporary file (mode 0600, under VAR_DIR,
never served) named by the photo's public id until the task processes it, and the file is
removed on every path, refusals and crashes included; a sweep removes what a killed worker left
(docs/decisions/0007-photo-uploads-wait-in-a-private-file.md; core.uploads). Only the result
of core.images is written, through Django's storage API: the photo and its small copy.

Every deletion of a photo row, by itself or with its report-back, its action or anything else
it goes with, deletes its files once it commits (`remove_photo_files`, connected in apps.py):
no caller has to remember it.

Consent: the stored copy is always masked, so a face can be left uncovered only at processing
time: the organizer uploads the photo again, naming the regions of the faces that consent.
Inside a high-risk country there is no such exception (campaigns.risk): every face is covered.
"""

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from celery import shared_task
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from streetwave.accounts.models import User
from streetwave.audit.services import record
from streetwave.core import images
from streetwave.core.enqueue import enqueue_on_commit
from streetwave.core.errors import Conflict, DomainError, NotAllowed
from streetwave.core.images import PhotoRefused, Region
from streetwave.core.locking import lock
from streetwave.core.uploads import (
    GRACE,
    LEFTOVER_AFTER,
    PrivateUploads,
    delete_files_on_commit,
    store_whole,
)
from streetwave.hubs.permissions import can

from ..models import Photo, ReportBack

MAX_PHOTOS = 10
UPLOADS = PrivateUploads("report-backs")


class TooManyPhotos(Conflict):
    default_message = _("A report-back can have at most 10 photos.")


class AltTextMissing(DomainError):
    default_message = _("Describe the photo for people who cannot see it.")


class NoConsentingFacesInside(DomainError):
    default_message = _(
        "In a high-risk country every face is covered, even of people who agreed to be shown."
    )


def failure_reason(photo: Photo) -> str:
    """Why a photo failed, in the reader's language."""
    return images.refusal_message(photo.failure)


def upload_path(photo: Photo) -> Path:
    return UPLOADS.path(photo.public_id)


def _regions_json(regions: Sequence[Region]) -> list[dict[str, float]]:
    return [{"x": r.x, "y": r.y, "w": r.w, "h": r.h} for r in regions]


def upload_photo(
    report_back: ReportBack,
    *,
    data: bytes,
    declared_name: str,
    declared_type: str,
    alt_text: str,
    marked: Sequence[Region] = (),
    consenting: Sequence[Region] = (),
    covered_on_phone: Sequence[Region] = (),
    actor: User,
) -> Photo:
    """An organizer adds a photo to a report-back; a task processes it after the commit."""
    if not can(actor, "can_file_report_back", report_back.action):
        raise NotAllowed()
    if not alt_text.strip():
        raise AltTextMissing(field="alt_text")
    if len(data) > images.MAX_BYTES:
        raise images.PhotoTooLarge(field="file")
    if consenting and report_back.action.is_high_risk():
        raise NoConsentingFacesInside(field="consenting")
    with transaction.atomic():
        current = (
            lock(ReportBack.objects.filter(pk=report_back.pk)).select_related("action__hub").get()
        )
        if current.photos.count() >= MAX_PHOTOS:
            raise TooManyPhotos()
        photo = Photo.objects.create(
            report_back=current,
            alt_text=alt_text.strip(),
            uploaded_by=actor,
            upload_name=declared_name[:200],
            upload_type=declared_type[:100],
            asked_regions={
                "marked": _regions_json(marked),
                "consenting": _regions_json(consenting),
                "phone": _regions_json(covered_on_phone),
            },
        )
        UPLOADS.write(photo.public_id, data)
        record(
            "photo.uploaded",
            actor=actor,
            target=current.action,
            hub=current.action.hub,
            data={
                "report_back": current.public_id,
                "photo": photo.public_id,
                "consenting": len(consenting),
                "marked": len(marked),
                "covered_on_phone": len(covered_on_phone),
            },
        )
        enqueue_on_commit(process_photo_upload_task, photo.pk)
    return photo


def _regions(raw: object) -> list[Region]:
    if not isinstance(raw, list):
        return []
    return [Region(float(r["x"]), float(r["y"]), float(r["w"]), float(r["h"])) for r in raw]


def process_uploaded_photo(photo_pk: int) -> Photo | None:
    """Process a photo's upload and store the result only. The upload is removed on every path
    but one: a disk too full to store the result leaves it for the sweep (core.uploads).
    Idempotent: a photo no longer processing is left as it is."""
    photo = Photo.objects.select_related("report_back__action").filter(pk=photo_pk).first()
    if photo is None:
        return None
    with UPLOADS.taken(photo.public_id) as path:
        if photo.state != Photo.State.PROCESSING:
            return photo
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return _finish(photo, failure=images.TruncatedPhoto.__name__)
        asked = photo.asked_regions if isinstance(photo.asked_regions, dict) else {}
        consenting = _regions(asked.get("consenting"))
        if consenting and photo.report_back.action.is_high_risk():
            # A country marked high-risk since the upload: every face is covered.
            consenting = []
        try:
            result = images.process_photo(
                data,
                declared_name=photo.upload_name,
                declared_type=photo.upload_type,
                marked=_regions(asked.get("marked")),
                consenting=consenting,
                covered_on_phone=_regions(asked.get("phone")),
            )
        except PhotoRefused as refused:
            return _finish(photo, failure=type(refused).__name__)
        return _finish(photo, result=result)
    return None


def _finish(
    photo: Photo, *, result: images.ProcessedPhoto | None = None, failure: str = ""
) -> Photo:
    with transaction.atomic():
        current = lock(Photo.objects.filter(pk=photo.pk)).select_related("report_back").get()
        if current.state != Photo.State.PROCESSING:
            return current
        current.upload_name, current.upload_type, current.asked_regions = "", "", {}
        if result is None:
            current.state = Photo.State.FAILED
            current.failure = failure
            current.masked_regions = []
        else:
            store_whole(
                [
                    (current.file, "photo.jpg", result.data),
                    (current.small_file, "small.jpg", result.small.data),
                ]
            )
            current.state = Photo.State.READY
            current.width, current.height = result.width, result.height
            current.small_width, current.small_height = result.small.width, result.small.height
            current.masked_regions = [
                {**_regions_json([m.region])[0], "source": m.source} for m in result.masked
            ]
        current.save()
        record(
            "photo.processed" if result is not None else "photo.failed",
            target=current.report_back.action,
            data={
                "photo": current.public_id,
                "masked": len(current.masked_regions),
                **({"failure": failure} if failure else {}),
            },
        )
    return current


def _delete_on_commit(storage: Storage, names: list[str]) -> None:
    def delete() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete)


class PhotoNotReady(Conflict):
    default_message = _("The photo is not processed yet, or it failed: nothing to cover.")


class PhotoFileMissing(Conflict):
    default_message = _(
        "The stored photo could not be read. Take it down and upload it again with the regions "
        "to cover."
    )


def mask_more_of_photo(photo: Photo, *, regions: Sequence[Region], actor: User) -> Photo:
    """An organizer covers regions the detector missed (a face, a tattoo, a name tag, a plate)
    on the stored copy: no original is needed, and the uncovered copy is deleted."""
    if not can(actor, "can_file_report_back", photo.report_back.action):
        raise NotAllowed()
    with transaction.atomic():
        current = lock(Photo.objects.filter(pk=photo.pk)).select_related("report_back").get()
        if current.state != Photo.State.READY or current.taken_down_at is not None:
            raise PhotoNotReady()
        try:
            with current.file.open("rb") as stored:
                original = stored.read()
        except OSError as error:
            # Storage lost the file (a sweep, a bucket's hiccup): say so rather than fail.
            raise PhotoFileMissing() from error
        covered = images.mask_regions(original, regions)
        old_names = [name for name in (current.file.name, current.small_file.name) if name]
        current.masked_regions = [
            *current.masked_regions,
            *({**region, "source": "marked"} for region in _regions_json(regions)),
        ]
        small = images.small_copy(covered, _regions(current.masked_regions))
        current.file.save("photo.jpg", ContentFile(covered), save=False)
        current.small_file.save("small.jpg", ContentFile(small.data), save=False)
        current.small_width, current.small_height = small.width, small.height
        current.save(
            update_fields=["file", "small_file", "small_width", "small_height", "masked_regions"]
        )
        record(
            "photo.masked",
            actor=actor,
            target=current.report_back.action,
            hub=current.report_back.action.hub,
            data={"photo": current.public_id, "regions": len(regions)},
        )
        _delete_on_commit(current.file.storage, old_names)
    return current


def take_down_photo(photo: Photo, *, actor: User) -> Photo:
    """A coordinator of the action's campaign takes a photo off every public page; the file goes."""
    if not can(actor, "can_moderate", photo.report_back.action):
        raise NotAllowed()
    with transaction.atomic():
        current = lock(Photo.objects.filter(pk=photo.pk)).select_related("report_back").get()
        if current.taken_down_at is not None:
            return current
        current.taken_down_at = timezone.now()
        current.taken_down_by = actor
        names = [name for name in (current.file.name, current.small_file.name) if name]
        current.file = current.small_file = ""
        if current.state == Photo.State.READY:
            current.state = Photo.State.FAILED
            current.failure = "TakenDown"
        current.save()
        record(
            "photo.taken_down",
            actor=actor,
            target=current.report_back.action,
            hub=current.report_back.action.hub,
            data={"photo": current.public_id},
        )
        _delete_on_commit(current.file.storage, names)
    return current


def remove_photo_files(sender: type[Photo], instance: Photo, **kwargs: Any) -> None:
    """post_delete of a photo (connected in apps.py): its files and its waiting upload go once
    the deletion commits, whatever deleted it (the photo, its report-back, its action)."""
    delete_files_on_commit(
        (instance.file, instance.small_file), uploads=UPLOADS, public_id=instance.public_id
    )


def sweep_photo_uploads(now: dt.datetime | None = None) -> int:
    """Remove uploads nobody will process (their photo gone or done), process those a lost task
    left waiting, and fail photos whose upload is lost. Returns how many uploads were removed."""
    now = now or timezone.now()
    waiting = dict(
        Photo.objects.filter(state=Photo.State.PROCESSING).values_list("public_id", "pk")
    )
    removed = UPLOADS.sweep(waiting, process_uploaded_photo)
    for photo in Photo.objects.filter(
        state=Photo.State.PROCESSING, created_at__lt=now - LEFTOVER_AFTER
    ):
        _finish(photo, failure=images.TruncatedPhoto.__name__)
    delete_orphaned_photo_files(now)
    return removed


def delete_orphaned_photo_files(now: dt.datetime | None = None) -> int:
    """Delete stored photo files that no photo names, older than the grace: what a deletion
    left when the storage failed after the commit, or one that went around the ORM."""
    now = now or timezone.now()
    storage = default_storage
    known = {
        name for pair in Photo.objects.values_list("file", "small_file") for name in pair if name
    }
    try:
        folders, _files = storage.listdir("photos")
    except FileNotFoundError:
        return 0
    deleted = 0
    for folder in folders:
        for file in storage.listdir(f"photos/{folder}")[1]:
            name = f"photos/{folder}/{file}"
            if name in known or now - storage.get_modified_time(name) < GRACE:
                continue
            storage.delete(name)
            deleted += 1
    return deleted


# Defined beside the service it runs, as the outbox does, so that the upload can queue it;
# tasks.py imports it, where Celery finds it.
@shared_task(
    name="streetwave.reportbacks.tasks.process_photo_upload",
    acks_late=True,
    reject_on_worker_lost=True,
)
def process_photo_upload_task(photo_pk: int) -> None:
    process_uploaded_photo(photo_pk)
