"""An incident's optional photo: sent from each of the three forms, processed by the task with
every face covered and no metadata, fetched only by those who handle the incident (never
cached), bad files refused on the form with nothing lost, and the file deleted with the
incident's retention and with anything that deletes the incident."""

import datetime as dt
import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import ExifTags, Image

from streetwave.core import datamap, images
from streetwave.core.uploads import GRACE
from streetwave.reportbacks.tests.photo_samples import PHOTOS, plain_jpeg
from streetwave.safety import services
from streetwave.safety.models import Incident, IncidentPhoto

pytestmark = pytest.mark.django_db

FORM = {"kind": "police", "severity": "medium", "when": "10", "text": "Police at the corner."}
# The middle of the astronaut's face (reportbacks/tests/photo_samples.PORTRAITS).
FACE_MIDDLE = (170 + 55, 50 + 70)


@pytest.fixture(autouse=True)
def photo_folders(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    settings.MEDIA_ROOT = tmp_path / "media"


def _stored_files(settings):
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _waiting_uploads():
    return list(services.UPLOADS.folder().iterdir())


def _portrait_with_gps() -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "CANARY-MAKE"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (52.0, 22.0, 1.5),
    }
    out = io.BytesIO()
    with Image.open(PHOTOS / "astronaut.jpg") as image:
        image.save(out, "JPEG", exif=exif.tobytes(), quality=95)
    return out.getvalue()


def _file(data: bytes, name: str = "incident.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def _signed_in(login, user):
    client = Client()
    login(client, user)
    return client


@pytest.fixture
def forms(action, token, organizer, login):
    """The three forms an incident is reported from, each with the client that sends it."""
    return {
        "public": (Client(), reverse("safety:report", args=[action.public_id])),
        "supporter": (Client(), reverse("safety:rsvp_incident", args=[token])),
        "organizer": (
            _signed_in(login, organizer),
            reverse("safety:action_incidents", args=[action.public_id]),
        ),
    }


@pytest.mark.parametrize("source", ["public", "supporter", "organizer"])
def test_each_form_offers_an_optional_photo_and_sends_files(source, forms):
    client, url = forms[source]
    html = client.get(url).content.decode()
    assert '<form method="post" enctype="multipart/form-data"' in html
    assert 'type="file" name="photo"' in html
    assert not client.get(url).context["form"].fields["photo"].required


@pytest.mark.parametrize("source", ["public", "supporter", "organizer"])
def test_a_photo_sent_with_an_incident_is_stored_masked_and_bare(
    source, forms, settings, django_capture_on_commit_callbacks
):
    # given a photo of a face, carrying GPS and the camera's make
    client, url = forms[source]
    sent = _portrait_with_gps()
    assert b"CANARY-MAKE" in sent
    # when it is sent with an incident, and the report commits (the task runs then)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {**FORM, "photo": _file(sent)})
    assert response.status_code in (302, 303)
    # then only the processed copy is stored, the face all fill, no metadata, no upload left
    photo = IncidentPhoto.objects.get(incident=Incident.objects.get())
    assert photo.state == IncidentPhoto.State.READY
    assert photo.upload_name == "" and photo.upload_type == ""
    (stored,) = _stored_files(settings)
    data = stored.read_bytes()
    assert b"CANARY-MAKE" not in data
    with Image.open(stored) as image:
        assert not image.getexif()
        assert image.getpixel(FACE_MIDDLE) == images.FILL
    assert _waiting_uploads() == []


@pytest.mark.parametrize(
    ("data", "name", "content_type", "refusal"),
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "x.svg", "image/svg+xml", "SvgRefused"),
        (plain_jpeg(), "x.png", "image/png", "MismatchedPhoto"),
        (plain_jpeg() + b"PK\x03\x04 an archive", "x.jpg", "image/jpeg", "TrailingData"),
        (b"not a photo at all", "x.jpg", "image/jpeg", "NotAPhoto"),
    ],
)
def test_a_bad_file_is_refused_on_the_form_and_nothing_is_lost(
    data, name, content_type, refusal, forms
):
    client, url = forms["public"]
    response = client.post(url, {**FORM, "photo": _file(data, name, content_type)})
    # then the form comes back with the pipeline's reason on the photo, and what was typed
    assert response.status_code == 400
    message = str(images.REFUSALS[refusal].default_message)
    assert response.context["form"].errors["photo"] == [message]
    assert "Police at the corner." in response.content.decode()
    assert not Incident.objects.exists() and not IncidentPhoto.objects.exists()
    assert _waiting_uploads() == []


def test_a_file_over_the_limit_is_refused_on_the_form(forms, monkeypatch):
    monkeypatch.setattr("streetwave.safety.forms.MAX_BYTES", 100)
    client, url = forms["public"]
    response = client.post(url, {**FORM, "photo": _file(plain_jpeg())})
    assert response.status_code == 400
    assert response.context["form"].errors["photo"]
    assert not Incident.objects.exists()


def test_an_incident_without_a_photo_has_none(forms):
    client, url = forms["public"]
    assert client.post(url, FORM).status_code == 303
    assert not IncidentPhoto.objects.exists()


def _incident_with_photo(action):
    upload = services.PhotoUpload(_portrait_with_gps(), "a.jpg", "image/jpeg")
    incident = services.report_incident(
        action,
        kind=Incident.Kind.POLICE,
        severity=Incident.Severity.MEDIUM,
        text="Police at the corner.",
        source=Incident.Source.PUBLIC,
        photo=upload,
    )
    services.process_incident_photo(incident.photo.pk)
    return incident


def test_those_who_handle_the_incident_fetch_the_photo_never_cached(
    action, organizer, member, make_user, login
):
    incident = _incident_with_photo(action)
    url = reverse("safety:incident_photo", args=[incident.public_id])
    # the organizer sees it on the incident's page, and fetches it, never cached
    client = _signed_in(login, organizer)
    page = client.get(reverse("safety:incident", args=[incident.public_id])).content.decode()
    assert f'src="{url}"' in page
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    with IncidentPhoto.objects.get().file.open("rb") as stored:
        assert response.content == stored.read()
    # a member who may report but not handle, and an outsider, get a 404; nobody signed out
    for user in (member, make_user()):
        assert _signed_in(login, user).get(url).status_code == 404
    assert Client().get(url).status_code == 302


def test_a_photo_processing_or_failed_is_not_served_and_the_page_says_which(
    action, organizer, login, monkeypatch
):
    # given a photo that passed the form's checks and whose decoding the task refuses
    def refuse(*args, **kwargs):
        raise images.TooManyPixels()

    monkeypatch.setattr(images, "process_photo", refuse)
    incident = services.report_incident(
        action,
        kind=Incident.Kind.OTHER,
        severity=Incident.Severity.LOW,
        text="A drone above.",
        source=Incident.Source.PUBLIC,
        photo=services.PhotoUpload(plain_jpeg(), "b.jpg", "image/jpeg"),
    )
    client = _signed_in(login, organizer)
    url = reverse("safety:incident_photo", args=[incident.public_id])
    page_url = reverse("safety:incident", args=[incident.public_id])
    # while it is processing, the page says so and nothing is served
    assert client.get(url).status_code == 404
    assert "its faces are being covered" in client.get(page_url).content.decode()
    # once the task refused it, the page says why, nothing is served, the upload is gone
    photo = services.process_incident_photo(incident.photo.pk)
    assert photo.state == IncidentPhoto.State.FAILED and photo.failure == "TooManyPixels"
    assert client.get(url).status_code == 404
    page = client.get(page_url).content.decode()
    assert str(images.TooManyPixels.default_message) in page
    assert _waiting_uploads() == []


def test_the_incidents_retention_deletes_the_photo_and_its_file(
    action, settings, django_capture_on_commit_callbacks
):
    # given an incident with its photo stored
    incident = _incident_with_photo(action)
    assert len(_stored_files(settings)) == 1
    # when the retention job runs after the incident's time
    later = timezone.now() + dt.timedelta(days=settings.INCIDENT_RETENTION_DAYS + 1)
    with django_capture_on_commit_callbacks(execute=True):
        datamap.expire(later)
    # then the photo's row and file are gone, and the incident stays for the counts
    assert not IncidentPhoto.objects.exists()
    assert _stored_files(settings) == []
    incident.refresh_from_db()
    assert incident.erased_at is not None


@pytest.mark.parametrize("deleted", ["photo", "incident", "action"])
def test_every_deletion_deletes_the_file_and_the_waiting_upload(
    deleted, action, settings, django_capture_on_commit_callbacks
):
    # given an incident whose photo is stored, and one whose upload still waits
    _incident_with_photo(action)
    waiting = services.report_incident(
        action,
        kind=Incident.Kind.OTHER,
        severity=Incident.Severity.LOW,
        text="A drone above.",
        source=Incident.Source.PUBLIC,
        photo=services.PhotoUpload(plain_jpeg(), "b.jpg", "image/jpeg"),
    )
    assert len(_stored_files(settings)) == 1 and len(_waiting_uploads()) == 1
    assert waiting.photo.state == IncidentPhoto.State.PROCESSING
    # when they are deleted, and the deletion commits
    with django_capture_on_commit_callbacks(execute=True):
        if deleted == "photo":
            IncidentPhoto.objects.all().delete()
        elif deleted == "incident":
            Incident.objects.all().delete()
        else:
            action.delete()
    # then no file and no upload is left
    assert _stored_files(settings) == [] and _waiting_uploads() == []


def test_the_sweep_processes_a_lost_task_and_removes_leftovers(action):
    # given an upload whose task was lost, older than the grace, and a leftover of no photo
    incident = services.report_incident(
        action,
        kind=Incident.Kind.OTHER,
        severity=Incident.Severity.LOW,
        text="A drone above.",
        source=Incident.Source.PUBLIC,
        photo=services.PhotoUpload(plain_jpeg(), "b.jpg", "image/jpeg"),
    )
    path = services.UPLOADS.path(incident.photo.public_id)
    old = path.stat().st_mtime - GRACE.total_seconds() - 1
    os.utime(path, (old, old))
    leftover = services.UPLOADS.folder() / "gone"
    leftover.write_bytes(b"x")
    os.utime(leftover, (0, 0))
    # when the sweep runs, then the photo is processed and both files are gone
    assert services.sweep_incident_photo_uploads() == 1
    assert IncidentPhoto.objects.get().state == IncidentPhoto.State.READY
    assert _waiting_uploads() == []
