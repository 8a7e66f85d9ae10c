"""Faces masked on the phone first: a hub lead chooses a group photo of eight faces (composed
from reportbacks' public-domain portraits, stored turned on its side with an EXIF orientation and
a GPS position) on the report-back's photos page, and the page covers the faces in the browser
before it uploads anything. The test reads the upload as the server received it, in its private
file before the server's pipeline ran: a new JPEG, upright, without the metadata, its faces under
the fill, no face left that the server's detector finds. The detector (face-api's tiny face
detector and the TensorFlow.js runtime) is loaded from our own origin, and only once a file is
chosen; the visit fixture fails the test on any request to another origin.

The upload's task runs once its transaction commits; here the live server shares the test's
transaction (SQLite), which never commits, so the test runs the callbacks the upload left."""

import datetime as dt
import io

import numpy as np
import pytest
from django.utils import timezone
from PIL import ExifTags, Image

from .sharing import writes_rows_the_server_shows

pytestmark = [pytest.mark.browser, pytest.mark.django_db, writes_rows_the_server_shows]

PHONE = {"width": 390, "height": 844}
# Headless Chromium here has no GPU: WebGL runs on SwiftShader, and the two passes over a
# 2,000 px photo take tens of seconds on a shared machine (a phone's GPU takes about one).
DETECTING_MS = 240_000
# What a JPEG of the phone's may hold: JFIF, tables, frame, scan, end. No APP1 (EXIF, XMP), no
# APP13 (IPTC), no APP2 (ICC), no comment.
PLAIN_JPEG_MARKERS = {0xE0, 0xDB, 0xC0, 0xC2, 0xC4, 0xDD, 0xDA, 0xD9}
# Where the detector's files are (face-api.js, the model's manifest and weights), loaded only
# once a photo is chosen, and their budget (bytes transferred, compressed).
DETECTOR_FOLDER = "/static/vendor/face-api/"
DETECTOR_BUDGET = 600_000


@pytest.fixture
def report_back(site):
    """A held report-back of an action of the signed-in lead's hub, moved to have ended an hour
    ago, filed by that lead."""
    from streetwave.actions.models import Action
    from streetwave.hubs.models import Membership
    from streetwave.reportbacks.services import file_report_back

    email = site.organizers[1][0]
    membership = Membership.objects.select_related("user", "hub").get(
        user__email=email, role=Membership.Role.LEAD
    )
    action = (
        Action.objects.public()
        .filter(hub=membership.hub, campaign__slug=site.slug, status=Action.Status.PUBLISHED)
        .order_by("-starts_at")
        .first()
    )
    assert action is not None, "the demo gives the first lead's hub no published action"
    now = timezone.now()
    Action.objects.filter(pk=action.pk).update(
        starts_at=now - dt.timedelta(hours=3), ends_at=now - dt.timedelta(hours=1)
    )
    action.refresh_from_db()
    return file_report_back(
        action,
        took_place=True,
        reason="",
        turnout=120,
        turnout_is_estimate=True,
        story="The square was full.",
        language="en",
        actor=membership.user,
    )


@pytest.fixture
def sideways_group(tmp_path):
    """The group photo stored turned a quarter to the left, with EXIF saying to turn it back
    (orientation 6) and a GPS position: its file, its bytes and its faces (upright)."""
    from streetwave.reportbacks.tests.photo_samples import group_photo

    upright, faces = group_photo()
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (52.0, 22.0, 1.5),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (4.0, 53.0, 2.5),
    }
    out = io.BytesIO()
    upright.transpose(Image.Transpose.ROTATE_90).save(out, "JPEG", quality=90, exif=exif)
    path = tmp_path / "IMG_20261205_143012.jpg"
    path.write_bytes(out.getvalue())
    return path, out.getvalue(), upright.size, faces


@pytest.fixture
def photo_folders(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _centre_in(box, face) -> bool:
    x, y, w, h = face
    cx, cy = box.x + box.w / 2, box.y + box.h / 2
    return x <= cx <= x + w and y <= cy <= y + h


def test_faces_are_masked_on_the_phone_before_the_photo_is_uploaded(
    visit,
    states,
    screenshots,
    report_back,
    sideways_group,
    photo_folders,
    django_capture_on_commit_callbacks,
):
    from playwright.sync_api import expect

    from streetwave.core import images
    from streetwave.core.faces import find_faces
    from streetwave.reportbacks.models import Photo
    from streetwave.reportbacks.services import upload_path
    from streetwave.reportbacks.tests.jpeg_parts import jpeg_segments

    path, original, (width, height), faces = sideways_group
    assert 0xE1 in {marker for marker, _ in jpeg_segments(original)}, "the original has EXIF"

    # Given the hub's lead on their phone, on the report-back's photos page
    lead = visit(viewport=PHONE, is_mobile=True, has_touch=True, storage_state=states["lead"])
    page = lead.page
    assert lead.go(f"/en/manage/report-backs/{report_back.public_id}/photos/").status == 200
    # (the detector is not loaded with the page)
    assert not [url for url in lead.transferred if DETECTOR_FOLDER in url]

    # When they choose the photo
    form = page.locator("form[data-mask-before-upload]")
    form.locator("input[name=file]").set_input_files(str(path))

    # Then the page says, once it has looked, how many faces it covered on the phone
    status = form.locator("[data-mask-status]")
    expect(status).to_contain_text(
        "Faces were masked on this phone before upload", timeout=DETECTING_MS
    )
    covered = int(status.inner_text().rsplit(":", 1)[1])
    assert covered >= len(faces)
    # and shows the photo as it will leave the phone
    preview = form.locator("img.mask-preview")
    assert preview.evaluate("img => img.complete && img.naturalWidth > 0")
    status.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / "phone-en-photo-masked-on-the-phone.png"))
    detector = {url: size for url, size in lead.transferred.items() if DETECTOR_FOLDER in url}
    assert len(detector) == 3, detector  # the script, the weights' manifest, the weights
    assert all(url.startswith(lead.site.url + DETECTOR_FOLDER) for url in detector)
    assert sum(detector.values()) <= DETECTOR_BUDGET, detector

    # When they describe it and upload it
    form.locator("[name=alt_text]").fill("People in a square, with placards.")
    with django_capture_on_commit_callbacks() as callbacks, page.expect_navigation():
        form.locator("button[type=submit]").click()

    # Then the server received a new, plain JPEG of the photo upright, named by nothing
    photo = Photo.objects.get(report_back=report_back)
    assert photo.upload_name == "photo.jpg" and photo.upload_type == "image/jpeg"
    received = upload_path(photo).read_bytes()
    assert received != original
    markers = {marker for marker, _ in jpeg_segments(received)}
    assert markers <= PLAIN_JPEG_MARKERS, sorted(hex(m) for m in markers - PLAIN_JPEG_MARKERS)
    assert b"Exif" not in received
    with Image.open(io.BytesIO(received)) as image:
        assert image.size == (width, height)
        pixels = np.array(image.convert("RGB"), dtype=np.int16)

    # And every face of it lies under the fill: its centre, and nine tenths of its pixels
    fill = np.array(images.FILL, dtype=np.int16)
    for x, y, w, h in faces:
        assert np.abs(pixels[y + h // 2, x + w // 2] - fill).max() <= 2, (x, y, w, h)
        near = np.abs(pixels[y : y + h, x : x + w] - fill).max(axis=2) <= 2
        assert near.mean() >= 0.9, ((x, y, w, h), near.mean())

    # And the server's own detector finds none of the faces in what it received
    found = find_faces(Image.fromarray(pixels.astype(np.uint8)))
    assert not [face for face in faces if any(_centre_in(box, face) for box in found)], found

    # And the regions covered on the phone came with it, to be listed as covered there
    assert len(photo.asked_regions["phone"]) == covered
    assert photo.asked_regions["marked"] == []

    # When the server's pipeline runs
    assert callbacks, "the upload scheduled no processing"
    for callback in callbacks:
        callback()

    # Then the stored copy lists those regions, and the upload is gone
    photo.refresh_from_db()
    assert photo.state == Photo.State.READY, photo.failure
    assert len([r for r in photo.masked_regions if r["source"] == "phone"]) == covered
    assert not upload_path(photo).exists()


def test_where_the_detector_cannot_run_the_photo_is_uploaded_and_the_server_masks_it(
    visit, states, report_back, photo_folders, django_capture_on_commit_callbacks
):
    from playwright.sync_api import expect

    from streetwave.reportbacks.models import Photo
    from streetwave.reportbacks.services import upload_path
    from streetwave.reportbacks.tests.photo_samples import PHOTOS

    original = (PHOTOS / "grace_hopper.jpg").read_bytes()
    # Given a lead whose browser loads the detector's script but cannot start it
    lead = visit(viewport=PHONE, storage_state=states["lead"])
    page = lead.page
    page.add_init_script(
        "Object.defineProperty(window, 'faceapi', {get: () => undefined, set: () => {}})"
    )
    lead.go(f"/en/manage/report-backs/{report_back.public_id}/photos/")

    # When they choose a portrait
    form = page.locator("form[data-mask-before-upload]")
    form.locator("input[name=file]").set_input_files(str(PHOTOS / "grace_hopper.jpg"))

    # Then the page says the server alone will cover the faces
    status = form.locator("[data-mask-status]")
    expect(status).to_contain_text("This browser cannot look for faces", timeout=60_000)

    # And when they upload it, the server receives the file as chosen
    form.locator("[name=alt_text]").fill("A portrait.")
    with django_capture_on_commit_callbacks() as callbacks, page.expect_navigation():
        form.locator("button[type=submit]").click()
    photo = Photo.objects.get(report_back=report_back)
    assert upload_path(photo).read_bytes() == original
    assert photo.asked_regions["phone"] == []

    # And its pipeline covers the face
    for callback in callbacks:
        callback()
    photo.refresh_from_db()
    assert photo.state == Photo.State.READY, photo.failure
    assert [r for r in photo.masked_regions if r["source"] == "detected"]


def test_a_face_marked_consenting_after_the_photo_was_chosen_is_left_uncovered(
    visit, states, report_back, sideways_group, photo_folders, django_capture_on_commit_callbacks
):
    from playwright.sync_api import expect

    from streetwave.core import images
    from streetwave.reportbacks.models import Photo
    from streetwave.reportbacks.services import upload_path

    path, _original, (width, height), faces = sideways_group
    speaker, *others = faces
    # Given a lead who chose the group photo and saw its faces covered
    lead = visit(viewport=PHONE, storage_state=states["lead"])
    page = lead.page
    lead.go(f"/en/manage/report-backs/{report_back.public_id}/photos/")
    form = page.locator("form[data-mask-before-upload]")
    form.locator("input[name=file]").set_input_files(str(path))
    expect(form.locator("[data-mask-status]")).to_contain_text(
        "Faces were masked on this phone", timeout=DETECTING_MS
    )

    # When they then mark the first face as a speaker who agreed to be shown, and upload
    x, y, w, h = speaker
    region = [x / width * 100, y / height * 100, w / width * 100, h / height * 100]
    form.locator("[name=consenting]").fill(" ".join(f"{n:.1f}" for n in region))
    form.locator("[name=alt_text]").fill("A speaker before the crowd.")
    with django_capture_on_commit_callbacks(), page.expect_navigation(timeout=DETECTING_MS):
        form.locator("button[type=submit]").click()

    # Then the server received that face as it was, and every other face covered
    photo = Photo.objects.get(report_back=report_back)
    assert len(photo.asked_regions["consenting"]) == 1
    with Image.open(io.BytesIO(upload_path(photo).read_bytes())) as image:
        pixels = np.array(image.convert("RGB"), dtype=np.int16)
    fill = np.array(images.FILL, dtype=np.int16)

    def covered(face) -> float:
        fx, fy, fw, fh = face
        return (np.abs(pixels[fy : fy + fh, fx : fx + fw] - fill).max(axis=2) <= 2).mean()

    # (the speaker's own region is left; a box over the people below still reaches the chin)
    centre = pixels[y + h // 2, x + w // 2]
    assert np.abs(centre - fill).max() > 2 and covered(speaker) < 0.5, covered(speaker)
    assert all(covered(face) >= 0.9 for face in others)
