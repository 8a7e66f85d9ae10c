"""The S3 path of photos (production's django-storages backend, settings' PHOTOS_S3_*) against
moto's standalone S3 server on loopback: the processed copy lands in the bucket and nothing
else does, the page serves it from this origin, and taking it down deletes the object."""

import io
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.core.files.storage import storages
from django.urls import reverse
from PIL import Image

from streetwave.reportbacks import services

pytestmark = pytest.mark.django_db

BUCKET = "streetwave-photos"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def s3_endpoint():
    port = _free_port()
    server = subprocess.Popen(  # moto's own command, from this interpreter's venv
        [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(endpoint, timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("moto's S3 server did not start")
                time.sleep(0.2)
        yield endpoint
    finally:
        server.terminate()
        server.wait(timeout=10)


def _s3(endpoint: str, method: str, path: str) -> bytes:
    """An unsigned request to moto's server, which takes them: the bucket's own admin."""
    url = f"{endpoint}/{BUCKET}{path}"
    assert url.startswith("http://127.0.0.1:")
    request = urllib.request.Request(url, method=method)  # noqa: S310 - loopback http, above
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
        return answer.read()


@pytest.fixture
def bucket(s3_endpoint, settings, tmp_path):
    _s3(s3_endpoint, "PUT", "")
    settings.VAR_DIR = tmp_path / "var"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "access_key": "test",
                "secret_key": "test",
                "region_name": "us-east-1",
                "default_acl": None,
                "file_overwrite": False,
                "addressing_style": "path",
            },
        },
    }
    # The storage handler keeps the backend it built first: forget it on both sides.
    storages._storages.pop("default", None)
    yield s3_endpoint
    storages._storages.pop("default", None)


def _keys(endpoint: str) -> list[str]:
    listing = _s3(endpoint, "GET", "?list-type=2").decode()
    return re.findall(r"<Key>([^<]+)</Key>", listing)


def test_photos_go_to_the_bucket_and_come_back_from_this_origin(
    bucket, client, world, file_report, coordinator, django_capture_on_commit_callbacks
):
    # given a report-back and a photo uploaded to it
    report_back = file_report()
    jpeg = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 140, 200)).save(jpeg, "JPEG", comment=b"CANARY")
    photo = services.upload_photo(
        report_back,
        data=jpeg.getvalue(),
        declared_name="square.jpg",
        declared_type="image/jpeg",
        alt_text="The square.",
        actor=world.organizer,
    )
    # when the task processes it
    photo = services.process_uploaded_photo(photo.pk)
    # then the bucket holds exactly the processed copy and its small copy, under random names
    key = f"photos/{report_back.public_id}/{photo.public_id}.jpg"
    small_key = f"photos/{report_back.public_id}/{photo.public_id}-small.jpg"
    assert sorted(_keys(bucket)) == sorted([key, small_key])
    with storages["default"].open(key, "rb") as obj:
        stored = obj.read()
    assert b"CANARY" not in stored and stored[:2] == b"\xff\xd8"
    # and once the report-back is verified, this origin serves it
    services.verify_report_back(report_back, actor=world.lead)
    response = client.get(reverse("reportbacks:photo_file", args=[photo.public_id]))
    assert response.status_code == 200 and response.content == stored
    # when a coordinator takes it down, then both objects are deleted
    with django_capture_on_commit_callbacks(execute=True):
        services.take_down_photo(photo, actor=coordinator)
    assert _keys(bucket) == []
