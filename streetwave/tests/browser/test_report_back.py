"""After the action, in Persian on a phone: a hub lead files a report-back with a photo (uploaded
through the page), a second lead of the hub verifies it, and the campaign's tally counts one more
street taken while the report page and the report wall show the report with its photo, faces
covered: the wall and the report show its small copy, the report links the full one.

The photo is processed by its Celery task, which runs once the upload's transaction commits. Here
the live server shares the test's transaction (SQLite), which never commits: the test runs the
callbacks the upload left, in process, as eager Celery would after a commit. The screenshots are
phone-fa-reportback-<page>.png."""

import datetime as dt

import pytest
from django.utils import timezone

from .sharing import writes_rows_the_server_shows

pytestmark = [pytest.mark.browser, pytest.mark.django_db, writes_rows_the_server_shows]

PHONE = {"width": 390, "height": 844}
TURNOUT = 270
STORY = "میدان شهر پر شد و همه با هم سرود خواندیم."
ALT_TEXT = "جمعیتی در میدان، با پلاکاردها."


def overflow(page) -> int:
    """How many pixels the page is wider than the screen."""
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def shoot(page, screenshots, name: str) -> None:
    page.screenshot(path=str(screenshots / f"phone-fa-reportback-{name}.png"), full_page=True)
    assert overflow(page) <= 0, f"the {name} page is wider than the phone"


def loaded(image) -> bool:
    """Whether an <img> was fetched and decoded (a 404 or a broken file leaves it 0 wide)."""
    image.scroll_into_view_if_needed()
    return image.evaluate("img => img.complete && img.naturalWidth > 0")


@pytest.fixture
def ended_action(site):
    """A public action of the signed-in lead's hub in the demo campaign, moved to have ended an
    hour ago: the report window is open."""
    from streetwave.actions.models import Action
    from streetwave.hubs.models import Membership

    email = site.organizers[1][0]
    hub = Membership.objects.get(user__email=email, role=Membership.Role.LEAD).hub
    action = (
        Action.objects.public()
        .filter(hub=hub, campaign__slug=site.slug, status=Action.Status.PUBLISHED)
        .order_by("starts_at")
        .first()
    )
    assert action is not None, "the demo gives the first lead's hub no published action"
    now = timezone.now()
    Action.objects.filter(pk=action.pk).update(
        starts_at=now - dt.timedelta(hours=3), ends_at=now - dt.timedelta(hours=1)
    )
    return action


@pytest.fixture
def face_photo(tmp_path):
    """A JPEG of eight faces, composed from public-domain portraits (reportbacks' test photos)."""
    from streetwave.reportbacks.tests.photo_samples import group_photo, jpeg_bytes

    image, _faces = group_photo()
    path = tmp_path / "group.jpg"
    path.write_bytes(jpeg_bytes(image))
    return path


@pytest.fixture(scope="module")
def second_lead(browser, site, django_db_blocker):
    """The demo's third lead, signed in through the pages once for the module (as the package's
    states are, outside any test); the test makes them a second lead of the first lead's hub."""
    from .conftest import _sign_in

    with django_db_blocker.unblock():
        return site.organizers[3][0], _sign_in(browser, site, site.organizers[3])


@pytest.fixture
def photo_folders(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_lead_reports_back_with_a_photo_and_a_second_person_makes_it_public(
    visit,
    states,
    site,
    screenshots,
    ended_action,
    face_photo,
    photo_folders,
    second_lead,
    django_capture_on_commit_callbacks,
):
    from streetwave.accounts.models import User
    from streetwave.campaigns.tally import compute_tally
    from streetwave.hubs.models import Membership
    from streetwave.reportbacks.models import Photo, ReportBack

    action = ended_action
    taken_before = compute_tally(action.campaign)["streets_taken"]

    # Given the hub's lead on their phone, on the action's report-back page
    lead = visit(viewport=PHONE, storage_state=states["lead"])
    page = lead.page
    assert lead.go(f"/fa/manage/actions/{action.public_id}/report-back/").status == 200
    shoot(page, screenshots, "file")

    # When they say it took place, with its turnout and a story in Persian
    form = page.locator("main form[method=post]").last
    form.locator("input[name=took_place][value=yes]").check()
    form.locator("input[name=turnout]").fill(str(TURNOUT))
    form.locator("textarea[name=story]").fill(STORY)
    form.locator("select[name=language]").select_option("fa")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()

    # Then it waits for a second person, and nobody else sees it yet
    report_back = ReportBack.objects.get(action=action)
    assert report_back.is_held and report_back.turnout == TURNOUT
    public = page.request.get(f"{site.url}/fa/a/{action.public_id}/report-back/")
    assert public.status == 404

    # When they add a photo of faces from the report-back's page
    lead.go(f"/fa/manage/actions/{action.public_id}/report-back/")
    with page.expect_navigation():
        page.locator(f"a[href$='/manage/report-backs/{report_back.public_id}/photos/']").click()
    upload = page.locator("main form[enctype='multipart/form-data']")
    upload.locator("input[name=file]").set_input_files(str(face_photo))
    upload.locator("[name=alt_text]").fill(ALT_TEXT)
    # Where the browser can, the page masks faces on the phone before the upload: it is given
    # time to load its detector and look. The processing runs once the upload has answered.
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        page.expect_navigation(timeout=60_000),
    ):
        upload.locator("button[type=submit]").click()
    assert callbacks, "the upload scheduled no processing"

    # Then the photo is processed: faces found and covered, and the page shows the result
    photo = Photo.objects.get(report_back=report_back)
    assert photo.state == Photo.State.READY, photo.failure
    assert len(photo.masked_regions) >= 1
    page.reload()
    assert loaded(page.locator(f"img[data-photo-regions='{photo.public_id}']"))
    shoot(page, screenshots, "photos")

    # When a second lead of the hub reads it and verifies it
    email, state = second_lead
    Membership.objects.create(
        user=User.objects.get(email=email), hub=action.hub, role=Membership.Role.LEAD
    )
    second = visit(viewport=PHONE, storage_state=state)
    page = second.page
    assert second.go(f"/fa/manage/report-backs/{report_back.public_id}/").status == 200
    assert STORY in page.locator("main .story").inner_text()
    assert loaded(page.locator("main .photos img").first)
    shoot(page, screenshots, "verify")
    with page.expect_navigation():
        page.locator(
            f"form[action$='/manage/report-backs/{report_back.public_id}/verify/'] button"
        ).click()
    report_back.refresh_from_db()
    assert report_back.is_current

    # Then the campaign's tally counts one more street taken
    visitor = visit(viewport=PHONE)
    page = visitor.page
    assert visitor.go(f"/fa/c/{site.slug}/").status == 200
    streets = page.locator(".tally-facts li").nth(1).inner_text()
    assert _persian(taken_before + 1) in streets.split(), streets

    # And the report page shows the turnout, the story and the photo
    assert visitor.go(f"/fa/a/{action.public_id}/report-back/").status == 200
    assert _persian(TURNOUT) in page.locator("main .facts").inner_text()
    assert STORY in page.locator("main .story").inner_text()
    photo.refresh_from_db()
    image = page.locator("main .photos img").first
    assert image.get_attribute("alt") == ALT_TEXT
    assert image.get_attribute("src").endswith(f"/photos/{photo.public_id}-small.jpg")
    assert loaded(image)
    full = page.locator(f"main .photos a[href$='/photos/{photo.public_id}.jpg']")
    assert full.count() == 1
    assert page.request.get(site.url + full.get_attribute("href")).status == 200
    shoot(page, screenshots, "report")

    # And the report wall shows it first, with its photo
    assert visitor.go(f"/fa/c/{site.slug}/reports/").status == 200
    entry = page.locator(f"#report-{report_back.public_id}")
    assert page.locator("main article.report-back").first.get_attribute("id") == (
        f"report-{report_back.public_id}"
    )
    assert _persian(TURNOUT) in entry.inner_text()
    image = entry.locator("img").first
    # the small copy, never the full file, with its size so that nothing moves as it loads
    assert image.get_attribute("src").endswith(f"/photos/{photo.public_id}-small.jpg")
    assert (image.get_attribute("width"), image.get_attribute("height")) == (
        str(photo.small_width),
        str(photo.small_height),
    )
    assert loaded(image)
    assert image.evaluate("img => img.naturalWidth") == photo.small_width
    assert image.evaluate("img => img.getBoundingClientRect().right") <= PHONE["width"]
    shoot(page, screenshots, "wall")


def _persian(number: int) -> str:
    from streetwave.core.i18n import localize_digits

    return str(localize_digits(number, "fa"))
