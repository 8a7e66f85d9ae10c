"""The disk for photos full, for real: a small tmpfs mounted as the folder of the waiting uploads
or as MEDIA_ROOT. The upload gets a clear error and leaves nothing; a processed photo that finds
no room keeps all its copies or none, and waits, still processing, for the sweep to store it
once there is room (docs/deploy.md, "Faults")."""

import contextlib
import os
import subprocess

import numpy as np
import pytest
from django.db import transaction
from PIL import Image

from streetwave.core.uploads import GRACE, NoRoomForUpload, NoRoomToStore, store_whole
from streetwave.reportbacks import services
from streetwave.reportbacks.models import Photo

from .photo_samples import jpeg_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("photo_folders")]


@pytest.fixture
def small_disk(tmp_path):
    """mount(size) -> a folder on a tmpfs of that many KiB, unmounted afterwards. Mounting
    needs root, as CI runs."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small disk needs root (CI runs as root)")
    mounted = []

    def mount(kib: int, name: str):
        folder = tmp_path / name
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["/usr/bin/mount", "-t", "tmpfs", "-o", f"size={kib}k", "tmpfs", str(folder)],
            check=True,
        )
        mounted.append(folder)
        return folder

    yield mount
    for folder in mounted:
        with contextlib.suppress(subprocess.CalledProcessError):
            subprocess.run(["/usr/bin/umount", str(folder)], check=True)


def noisy_jpeg(width=1200, height=900) -> bytes:
    """A photo that compresses badly: hundreds of kilobytes."""
    pixels = np.random.default_rng(7).integers(0, 255, (height, width, 3), dtype=np.uint8)
    return jpeg_bytes(Image.fromarray(pixels))


def files_in(folder):
    return sorted(p.name for p in folder.rglob("*") if p.is_file())


def upload(world, report_back, data):
    return services.upload_photo(
        report_back,
        data=data,
        declared_name="photo.jpg",
        declared_type="image/jpeg",
        alt_text="People holding a banner in the square.",
        actor=world.organizer,
    )


def test_an_upload_to_a_full_disk_is_refused_clearly_and_leaves_nothing(
    world, report_back, settings, small_disk
):
    settings.VAR_DIR = small_disk(32, "var")
    data = noisy_jpeg()
    assert len(data) > 200_000

    with pytest.raises(NoRoomForUpload) as refused, transaction.atomic():
        upload(world, report_back, data)

    assert refused.value.status_code == 503
    assert "no room" in str(refused.value.message)
    assert not Photo.objects.exists()
    assert files_in(settings.VAR_DIR) == []


def test_a_photo_without_room_to_be_stored_waits_whole_and_is_stored_later(
    world, report_back, settings, small_disk, tmp_path
):
    # Given a photo uploaded, and a disk for stored photos with room for no copy of it
    photo = upload(world, report_back, noisy_jpeg())
    settings.MEDIA_ROOT = small_disk(64, "media")

    # When its task runs
    services.process_uploaded_photo(photo.pk)

    # Then nothing of it is stored, not even in part, and it is still waiting, its upload kept
    photo.refresh_from_db()
    assert photo.state == Photo.State.PROCESSING
    assert files_in(settings.MEDIA_ROOT) == []
    assert services.upload_path(photo).exists()

    # When there is room again and the sweep finds it waiting
    settings.MEDIA_ROOT = tmp_path / "roomy"
    old = services.upload_path(photo).stat().st_mtime - GRACE.total_seconds() - 1
    os.utime(services.upload_path(photo), (old, old))
    services.sweep_photo_uploads()

    # Then it is stored, both copies, and the upload is gone
    photo.refresh_from_db()
    assert photo.state == Photo.State.READY
    assert len(files_in(settings.MEDIA_ROOT)) == 2
    assert not services.upload_path(photo).exists()


def test_copies_are_stored_all_or_none(world, report_back, settings, small_disk):
    settings.MEDIA_ROOT = small_disk(64, "media")
    photo = upload(world, report_back, noisy_jpeg(64, 48))

    # The first copy fits, the second does not: the first is taken back
    with pytest.raises(NoRoomToStore):
        store_whole(
            [(photo.file, "photo.jpg", b"x" * 16_000), (photo.small_file, "s.jpg", b"x" * 200_000)]
        )

    assert files_in(settings.MEDIA_ROOT) == []
