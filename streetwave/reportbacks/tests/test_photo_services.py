"""A report-back's photos through their services: upload into a private temporary file, the
task that stores the processed copy only and removes the upload on every path, the limit of ten,
take-down by a coordinator, deletion of the files and the sweep of leftovers."""

import os
import stat

import numpy as np
import pytest
from django.db import transaction
from PIL import Image

from streetwave.audit.models import AuditEntry
from streetwave.core import images, uploads
from streetwave.core.errors import NotAllowed
from streetwave.core.images import Region
from streetwave.reportbacks import services
from streetwave.reportbacks.models import Photo

from .photo_samples import PHOTOS, plain_jpeg

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("photo_folders")]


@pytest.fixture
def upload(world, report_back):
    def up(data=None, *, name="photo.jpg", content_type="image/jpeg", actor=None, **more):
        return services.upload_photo(
            report_back,
            data=plain_jpeg() if data is None else data,
            declared_name=name,
            declared_type=content_type,
            alt_text=more.pop("alt_text", "People holding a banner in the square."),
            actor=actor or world.organizer,
            **more,
        )

    return up


def _stored_files(settings):
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_an_upload_waits_in_a_private_file_until_the_task_runs(upload, settings):
    # when an organizer uploads a photo (the task not yet run: the transaction is still open)
    photo = upload()
    # then the photo is processing, its upload is a file only its owner may read, nothing stored
    path = services.upload_path(photo)
    assert photo.state == Photo.State.PROCESSING
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    assert str(settings.MEDIA_ROOT) not in str(path)
    assert _stored_files(settings) == []
    assert AuditEntry.objects.filter(verb="photo.uploaded").count() == 1


def test_the_task_runs_after_the_commit_and_stores_only_the_processed_copy(
    upload, settings, django_capture_on_commit_callbacks
):
    # when a photo is uploaded and the transaction commits
    with django_capture_on_commit_callbacks(execute=True):
        photo = upload()
    photo.refresh_from_db()
    # then the stored file is the pipeline's JPEG, and the upload is gone
    assert photo.state == Photo.State.READY
    assert (photo.width, photo.height) == (64, 48)
    assert not services.upload_path(photo).exists()
    small, stored = sorted(_stored_files(settings))
    assert stored.name == f"{photo.public_id}.jpg"
    assert small.name == f"{photo.public_id}-small.jpg"
    assert photo.upload_name == "" and photo.asked_regions == {}
    for file in (stored, small):
        with Image.open(file) as image:
            assert image.format == "JPEG" and not image.getexif()


def test_a_portrait_is_stored_with_its_face_covered(upload, settings):
    # given a public-domain portrait uploaded
    photo = upload((PHOTOS / "astronaut.jpg").read_bytes(), name="a.jpg")
    # when the task processes it
    photo = services.process_uploaded_photo(photo.pk)
    # then the regions it covered are recorded, as fractions, for the organizer's page
    assert photo.state == Photo.State.READY
    assert any(r["source"] == "detected" for r in photo.masked_regions)
    with photo.file.open("rb") as stored:
        image = Image.open(stored)
        x, y = 170 + 55, 50 + 70  # the middle of the face
        assert image.getpixel((x, y)) == images.FILL


@pytest.mark.parametrize(
    ("data", "name", "failure"),
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "x.svg", "SvgRefused"),
        (plain_jpeg()[:200], "x.jpg", "TruncatedPhoto"),
        (plain_jpeg() + b"PK\x03\x04 an archive", "x.jpg", "TrailingData"),
        (plain_jpeg(), "x.png", "MismatchedPhoto"),
    ],
)
def test_a_refused_upload_fails_with_its_reason_and_nothing_is_stored(
    upload, settings, data, name, failure
):
    # given a bad file uploaded
    photo = upload(data, name=name, content_type="")
    # when the task processes it
    photo = services.process_uploaded_photo(photo.pk)
    # then the photo failed with a translated reason, nothing is stored, the upload is gone
    assert photo.state == Photo.State.FAILED
    assert photo.failure == failure
    assert services.failure_reason(photo)
    assert _stored_files(settings) == []
    assert not services.upload_path(photo).exists()
    assert AuditEntry.objects.filter(verb="photo.failed").count() == 1


def test_the_upload_is_removed_when_processing_crashes(upload, monkeypatch):
    # given an upload, and a pipeline that crashes (a bug, a killed library)
    photo = upload()

    def crash(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(images, "process_photo", crash)
    # when the task runs, then the crash goes up to Celery, and the upload is gone all the same
    with pytest.raises(MemoryError):
        services.process_uploaded_photo(photo.pk)
    assert not services.upload_path(photo).exists()


def test_the_task_twice_does_nothing_the_second_time(upload):
    photo = upload()
    first = services.process_uploaded_photo(photo.pk)
    second = services.process_uploaded_photo(photo.pk)
    assert first.state == second.state == Photo.State.READY
    assert second.file.name == first.file.name
    assert AuditEntry.objects.filter(verb="photo.processed").count() == 1


def test_regions_marked_and_faces_consenting_reach_the_pipeline(upload):
    # given a photo uploaded with a name tag marked to cover
    photo = upload(marked=[Region(0.0, 0.0, 0.5, 0.5)])
    # when processed
    photo = services.process_uploaded_photo(photo.pk)
    # then the region is recorded as marked
    assert [r["source"] for r in photo.masked_regions] == ["marked"]


def test_regions_covered_on_the_phone_are_covered_again_and_listed_as_such(upload):
    # given a photo whose face the organizer's browser covered before the upload
    photo = upload(covered_on_phone=[Region(0.25, 0.25, 0.5, 0.5)])
    # when processed
    photo = services.process_uploaded_photo(photo.pk)
    # then the region is covered again and recorded as covered on the phone
    assert [r["source"] for r in photo.masked_regions] == ["phone"]
    assert AuditEntry.objects.get(verb="photo.uploaded").data["covered_on_phone"] == 1


def test_at_most_ten_photos(upload):
    for _ in range(services.MAX_PHOTOS):
        upload()
    with pytest.raises(services.TooManyPhotos):
        upload()


def test_alt_text_is_required(upload):
    with pytest.raises(services.AltTextMissing):
        upload(alt_text="  ")


def test_only_an_organizer_of_the_hub_may_upload(upload, world, coordinator):
    for outsider in (world.sponsor_lead, coordinator):
        with pytest.raises(NotAllowed):
            upload(actor=outsider)
    assert not Photo.objects.exists()


def test_a_coordinator_takes_a_photo_down_and_its_file_goes(
    upload, coordinator, world, settings, django_capture_on_commit_callbacks
):
    # given a processed photo: its copy and its small copy
    photo = services.process_uploaded_photo(upload().pk)
    assert len(_stored_files(settings)) == 2
    # when an organizer tries to take it down, then they may not
    with pytest.raises(NotAllowed):
        services.take_down_photo(photo, actor=world.lead)
    # when a coordinator takes it down
    with django_capture_on_commit_callbacks(execute=True):
        photo = services.take_down_photo(photo, actor=coordinator)
    # then it is shown nowhere, its file is gone, and the audit log says who
    assert photo.taken_down_at is not None
    assert not Photo.objects.shown().exists()
    assert _stored_files(settings) == []
    entry = AuditEntry.objects.get(verb="photo.taken_down")
    assert entry.actor == coordinator


def test_covering_more_replaces_both_copies_and_deletes_the_old_ones(
    upload, world, settings, django_capture_on_commit_callbacks
):
    # given a processed photo larger than the small copy
    photo = services.process_uploaded_photo(upload(plain_jpeg((1600, 1200))).pk)
    before = set(_stored_files(settings))
    assert (photo.small_width, photo.small_height) == (images.SMALL_SIDE, 720)
    # when an organizer covers the top left quarter
    with django_capture_on_commit_callbacks(execute=True):
        photo = services.mask_more_of_photo(
            photo, regions=[Region(0.0, 0.0, 0.5, 0.5)], actor=world.organizer
        )
    # then two new files replace the two old ones, and both have the quarter all fill
    after = set(_stored_files(settings))
    assert len(after) == 2 and not after & before
    for file, (width, height) in (
        (photo.file, (1600, 1200)),
        (photo.small_file, (photo.small_width, photo.small_height)),
    ):
        with file.open("rb") as stored, Image.open(stored) as image:
            assert image.size == (width, height)
            quarter = image.crop((0, 0, width // 2, height // 2))
            assert (np.array(quarter) == images.FILL).all()


DELETIONS = {
    "the photo": lambda photo: photo.delete(),
    "photos by a query": lambda photo: Photo.objects.filter(pk=photo.pk).delete(),
    "its report-back": lambda photo: photo.report_back.delete(),
    "its action": lambda photo: photo.report_back.action.delete(),
}


@pytest.mark.parametrize("deleted", DELETIONS)
def test_every_deletion_of_a_photo_deletes_its_files_and_its_upload(
    deleted, upload, settings, django_capture_on_commit_callbacks
):
    # given a processed photo (its copy and small copy stored) and one still waiting
    services.process_uploaded_photo(upload().pk)
    waiting = upload()
    assert len(_stored_files(settings)) == 2
    assert services.upload_path(waiting).exists()
    # when the photos are deleted, by whatever path, and the deletion commits
    with django_capture_on_commit_callbacks(execute=True):
        for photo in Photo.objects.all():
            if Photo.objects.filter(pk=photo.pk).exists():
                DELETIONS[deleted](photo)
    # then no file and no upload is left
    assert not Photo.objects.exists()
    assert _stored_files(settings) == []
    assert not services.upload_path(waiting).exists()


def test_a_deletion_rolled_back_keeps_the_files(upload, settings):
    # given a processed photo
    photo = services.process_uploaded_photo(upload().pk)
    # when its deletion is rolled back
    with pytest.raises(RuntimeError), transaction.atomic():
        photo.delete()
        raise RuntimeError
    # then its files stay
    assert len(_stored_files(settings)) == 2


def test_the_sweep_removes_leftovers_and_keeps_fresh_uploads(upload, settings):
    # given a fresh upload, an old leftover of a photo long gone, and a fresh stray file
    photo = upload()
    folder = services.UPLOADS.folder()
    old = folder / "gone-long-ago"
    old.write_bytes(b"x")
    os.utime(old, (0, 0))
    stray = folder / "not-yet-committed"
    stray.write_bytes(b"x")
    # when the sweep runs
    removed = services.sweep_photo_uploads()
    # then only the old leftover went: the fresh ones may belong to a transaction still open
    assert removed == 1
    assert not old.exists() and stray.exists()
    assert services.upload_path(photo).exists()


def test_the_sweep_processes_an_upload_whose_task_was_lost(upload):
    # given an upload whose task never ran (the broker was down), older than the grace
    photo = upload()
    path = services.upload_path(photo)
    old = path.stat().st_mtime - uploads.GRACE.total_seconds() - 1
    os.utime(path, (old, old))
    # when the sweep runs, then the photo is processed and its upload removed
    services.sweep_photo_uploads()
    photo.refresh_from_db()
    assert photo.state == Photo.State.READY
    assert not path.exists()


def test_the_sweep_deletes_stored_files_that_no_photo_names(upload, settings):
    # given a processed photo, and a file a cascade left behind long ago
    photo = services.process_uploaded_photo(upload().pk)
    orphan = settings.MEDIA_ROOT / "photos" / "gone" / "gone.jpg"
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"x")
    os.utime(orphan, (0, 0))
    # when the sweep runs
    services.sweep_photo_uploads()
    # then the orphan is gone and the photo's file stays
    assert not orphan.exists()
    assert set(_stored_files(settings)) == {
        settings.MEDIA_ROOT / photo.file.name,
        settings.MEDIA_ROOT / photo.small_file.name,
    }


def test_covering_more_of_a_photo_whose_file_is_lost_says_so(upload, world, settings):
    # given a processed photo whose stored file storage has lost
    photo = services.process_uploaded_photo(upload().pk)
    photo.file.storage.delete(photo.file.name)
    # when an organizer marks a region to cover, then a clear refusal comes, not a crash
    with pytest.raises(services.PhotoFileMissing):
        services.mask_more_of_photo(
            photo, regions=[Region(0.1, 0.1, 0.2, 0.2)], actor=world.organizer
        )
