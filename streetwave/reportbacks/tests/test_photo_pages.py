"""Photo pages: the organizers' photos page (upload, "processing" until the task ran, regions to
cover, take-down), the photo's file from this origin, and the photos on the public report."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from streetwave.core import images
from streetwave.reportbacks import services
from streetwave.reportbacks.models import Photo

from .photo_samples import plain_jpeg

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("photo_folders")]


def _url(report_back):
    return reverse("reportbacks:manage_photos", args=[report_back.public_id])


@pytest.fixture
def ready_photo(world, report_back):
    photo = services.upload_photo(
        report_back,
        data=plain_jpeg(),
        declared_name="square.jpg",
        declared_type="image/jpeg",
        alt_text="The square, full of people.",
        actor=world.organizer,
    )
    return services.process_uploaded_photo(photo.pk)


def test_an_organizer_uploads_a_photo_and_the_page_says_processing(
    client, login, world, report_back, settings
):
    # given the hub's organizer on the photos page
    login(client, world.organizer)
    assert client.get(_url(report_back)).status_code == 200
    # when they upload a photo (its task not yet run)
    upload = SimpleUploadedFile("square.jpg", plain_jpeg(), content_type="image/jpeg")
    response = client.post(
        _url(report_back),
        {"file": upload, "alt_text": "People in the square.", "marked": "10 10 20 20"},
    )
    # then the photo is processing and the page says so, with a link to reload it
    assert response.status_code == 302
    photo = Photo.objects.get()
    assert photo.state == Photo.State.PROCESSING
    assert photo.asked_regions["marked"] == [{"x": 0.1, "y": 0.1, "w": 0.2, "h": 0.2}]
    page = client.get(_url(report_back)).content.decode()
    assert "still being processed" in page
    assert "Reload the page" in page


def test_faces_covered_on_the_phone_are_listed_as_such(client, login, world, report_back):
    # given a photo the organizer's browser covered before sending it (the script fills the
    # hidden field with the regions it covered)
    login(client, world.organizer)
    upload = SimpleUploadedFile("photo.jpg", plain_jpeg(), content_type="image/jpeg")
    client.post(
        _url(report_back),
        {"file": upload, "alt_text": "People in the square.", "covered_on_phone": "10 10 20 20"},
    )
    # when the server has processed it
    services.process_uploaded_photo(Photo.objects.get().pk)
    # then the page lists the region as a face covered on the phone, not one an organizer marked
    page = client.get(_url(report_back)).content.decode()
    assert "a face covered on the phone" in page
    assert "marked by an organizer" not in page


def test_the_upload_form_says_what_is_wrong(client, login, world, report_back):
    login(client, world.organizer)
    upload = SimpleUploadedFile("square.jpg", plain_jpeg(), content_type="image/jpeg")
    response = client.post(
        _url(report_back), {"file": upload, "alt_text": "", "marked": "10 10 200 20"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors.keys() == {"alt_text", "marked"}
    assert not Photo.objects.exists()


def test_persian_digits_mark_regions_too(client, login, world, report_back):
    login(client, world.organizer)
    upload = SimpleUploadedFile("square.jpg", plain_jpeg(), content_type="image/jpeg")
    client.post(_url(report_back), {"file": upload, "alt_text": "x", "consenting": "۱۰ ۱۰ ۲۰ ۲۰"})
    assert Photo.objects.get().asked_regions["consenting"][0]["x"] == 0.1


def test_a_failed_photo_shows_its_reason(client, login, world, report_back):
    photo = services.upload_photo(
        report_back,
        data=b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        declared_name="x.svg",
        declared_type="image/svg+xml",
        alt_text="x",
        actor=world.organizer,
    )
    services.process_uploaded_photo(photo.pk)
    login(client, world.organizer)
    page = client.get(_url(report_back)).content.decode()
    assert "SVG drawings cannot be uploaded" in page


def test_someone_outside_the_hub_gets_404(client, login, world, report_back, make_user):
    login(client, make_user())
    assert client.get(_url(report_back)).status_code == 404


def test_a_coordinator_sees_the_photos_but_cannot_upload(
    client, login, coordinator, report_back, ready_photo
):
    login(client, coordinator)
    page = client.get(_url(report_back))
    assert page.status_code == 200
    assert "Take the photo down" in page.content.decode()
    upload = SimpleUploadedFile("square.jpg", plain_jpeg(), content_type="image/jpeg")
    assert client.post(_url(report_back), {"file": upload, "alt_text": "x"}).status_code == 404


def test_an_organizer_covers_more_regions_of_a_processed_photo(client, login, world, ready_photo):
    login(client, world.organizer)
    url = reverse("reportbacks:manage_photo_mask", args=[ready_photo.public_id])
    response = client.post(url, {"regions": "0 0 50 50"})
    assert response.status_code == 302
    ready_photo.refresh_from_db()
    with ready_photo.file.open("rb") as stored:
        assert Image.open(stored).getpixel((4, 4)) == images.FILL


def test_a_coordinator_takes_a_photo_down_from_the_page(client, login, coordinator, ready_photo):
    login(client, coordinator)
    url = reverse("reportbacks:manage_photo_take_down", args=[ready_photo.public_id])
    assert client.post(url).status_code == 302
    ready_photo.refresh_from_db()
    assert ready_photo.taken_down_at is not None


def test_a_public_photo_is_served_from_this_origin_with_long_cache(
    client, world, report_back, ready_photo
):
    # given a held report-back's photo: nobody outside sees it, nor its small copy
    url = reverse("reportbacks:photo_file", args=[ready_photo.public_id])
    small = reverse("reportbacks:photo_small_file", args=[ready_photo.public_id])
    assert client.get(url).status_code == 404
    assert client.get(small).status_code == 404
    # when a second person verifies the report-back
    services.verify_report_back(report_back, actor=world.lead)
    # then both are public and cached for a year, each its own file
    responses = {name: client.get(name) for name in (url, small)}
    for response in responses.values():
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert "max-age=31536000" in response["Cache-Control"]
    with ready_photo.file.open("rb") as full, ready_photo.small_file.open("rb") as copy:
        assert responses[url].content == full.read()
        assert responses[small].content == copy.read()
    # and the report shows the small copy with its alt text, and links the full one
    html = client.get(reverse("reportbacks:report", args=[world.action.public_id])).content
    html = html.decode()
    assert f'src="{small}"' in html and f'href="{url}"' in html
    assert 'alt="The square, full of people."' in html


def test_a_taken_down_photo_is_gone_from_the_report(
    client, world, coordinator, report_back, ready_photo
):
    services.verify_report_back(report_back, actor=world.lead)
    services.take_down_photo(ready_photo, actor=coordinator)
    url = reverse("reportbacks:photo_file", args=[ready_photo.public_id])
    assert client.get(url).status_code == 404
    report = client.get(reverse("reportbacks:report", args=[world.action.public_id]))
    assert url not in report.content.decode()


def test_the_report_back_pages_lead_to_its_photos(client, login, world, report_back):
    # given a held report-back, read by the organizer who filed it
    login(client, world.organizer)
    # when they open the action's report-back page and the held report-back's page
    action_page = client.get(reverse("reportbacks:manage", args=[world.action.public_id]))
    held_page = client.get(reverse("reportbacks:manage_verify", args=[report_back.public_id]))
    # then both lead to the photos page, where photos are added
    for page in (action_page, held_page):
        assert f'href="{_url(report_back)}"' in page.content.decode()


def test_the_second_person_sees_the_photos_before_verifying(
    client, login, world, report_back, ready_photo
):
    # given a held report-back with a processed photo
    # when the second person opens it to decide
    login(client, world.lead)
    page = client.get(reverse("reportbacks:manage_verify", args=[report_back.public_id]))
    # then the photo is on the page, with its description
    html = page.content.decode()
    assert reverse("reportbacks:photo_small_file", args=[ready_photo.public_id]) in html
    assert 'alt="The square, full of people."' in html


def test_the_wall_shows_each_report_backs_first_shown_photo_in_fixed_queries(
    client, world, coordinator, campaign, report_back, ready_photo, django_assert_num_queries
):
    # given a verified report-back with two photos, the first taken down
    services.verify_report_back(report_back, actor=world.lead)
    second = services.upload_photo(
        report_back,
        data=plain_jpeg(),
        declared_name="street.jpg",
        declared_type="image/jpeg",
        alt_text="The street behind the square.",
        actor=world.organizer,
    )
    services.process_uploaded_photo(second.pk)
    services.take_down_photo(ready_photo, actor=coordinator)
    url = reverse("reportbacks:wall", args=[campaign.slug])
    client.get(url)  # the session, the site's caches
    # when the wall is read (the campaign, the count, the page, its photos)
    with django_assert_num_queries(4):
        html = client.get(url).content.decode()
    # then its entry shows the small copy of the photo still shown, with its size, never the
    # full file, and nothing of the one taken down
    second.refresh_from_db()
    small = reverse("reportbacks:photo_small_file", args=[second.public_id])
    assert f'src="{small}"' in html
    assert f'width="{second.small_width}" height="{second.small_height}"' in html
    assert reverse("reportbacks:photo_file", args=[second.public_id]) not in html
    assert 'alt="The street behind the square."' in html
    assert ready_photo.public_id not in html
