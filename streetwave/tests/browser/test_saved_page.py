"""The pages for a high-risk country saved as one file (core.selfcontained): the campaign's
inside page and the page of a street taken inside, made in Tehran beside the demo. Opened from
disk in a browser whose every request is refused, each shows the same page, in Persian and right
to left with its own font, on a phone, and asks nothing of anyone."""

from urllib.parse import unquote

import pytest
from django.conf import settings

from .sharing import writes_rows_the_server_shows

# The tests write rows the live server must show (a high-risk country, its cities, an action).
pytestmark = [pytest.mark.browser, pytest.mark.django_db, writes_rows_the_server_shows]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def taken_inside(site, make_city, make_hub, make_action):
    """Iran high-risk for the instance, and a street taken in Tehran filed after the fact,
    verified two days ago (public), in the demo's campaign."""
    import datetime as dt

    from django.utils import timezone

    from streetwave.actions.models import Action
    from streetwave.approvals.models import Approval
    from streetwave.campaigns.models import Campaign
    from streetwave.places.models import Country
    from streetwave.reportbacks.models import ReportBack

    now = timezone.now()
    tehran = make_city(
        "Tehran", country="IR", timezone="Asia/Tehran", lat=35.69, lon=51.39, name_fa="تهران"
    )
    Country.objects.filter(code="IR").update(high_risk=True)
    action = make_action(
        hub=make_hub("Sarv", city=tehran),
        campaign=Campaign.objects.get(slug=site.slug),
        title="Night of the cypress",
        status=Action.Status.COMPLETED,
        starts_at=now - dt.timedelta(days=3),
        after_the_fact=True,
    )
    ReportBack.objects.create(
        action=action,
        turnout=400,
        language="fa",
        approval=Approval.APPROVED,
        approved_at=now - dt.timedelta(days=2),
    )
    return action


def _path(site, action, kind: str, language: str) -> str:
    if kind == "inside":
        return f"/{language}/c/{site.slug}/inside/"
    return f"/{language}/a/{action.public_id}/"


@pytest.mark.parametrize("kind", ["inside", "action"])
@pytest.mark.parametrize("scripts", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("language", ["fa", "en"])
def test_a_saved_page_opens_from_disk_with_no_request(
    visit, browser, taken_inside, screenshots, tmp_path, language, scripts, kind
):
    # given a reader on the page, on a phone, with or without JavaScript
    online = visit(viewport=PHONE, java_script_enabled=scripts)
    online.go(_path(online.site, taken_inside, kind, language))
    online.page.locator(".save-page").scroll_into_view_if_needed()
    js = "js" if scripts else "no-js"
    online.page.screenshot(path=screenshots / f"phone-{language}-{js}-{kind}-save-link.png")

    # when they save it (a plain link: no script needed)
    with online.page.expect_download() as download_info:
        online.page.locator(".save-page a").click()
    download = download_info.value
    saved = tmp_path / "saved.html"
    download.save_as(saved)

    # and open the file in a browser that refuses every request but the file itself
    context = browser.new_context(viewport=PHONE)
    asked, errors = [], []

    def refuse(route):
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            asked.append(route.request.url)
            route.abort()

    context.route("**/*", refuse)
    context.set_offline(True)
    page = context.new_page()
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("requestfailed", lambda request: asked.append(request.url))
    try:
        page.goto(saved.as_uri())
        page.wait_for_load_state("load")
        shot = screenshots / f"phone-{language}-{js}-{kind}-saved.png"
        page.screenshot(path=shot, full_page=True)

        # then it asked for nothing, and the console shows no refused load either
        assert asked == []
        assert errors == []
        # it reads in its language and direction, styled, with the Persian font inlined
        direction = "rtl" if language == "fa" else "ltr"
        assert page.get_attribute("html", "dir") == direction
        assert page.locator(".saved-copy").is_visible()
        assert page.locator(".inside-figures" if kind == "inside" else ".facts").is_visible()
        assert page.evaluate("getComputedStyle(document.body).margin") == "0px"
        if language == "fa":
            assert page.evaluate("document.fonts.check('16px Vazirmatn', 'خیابان')")
        # nothing wider than the phone
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"]
        # and its links lead back to the instance, by its name (not the address of this test's
        # server)
        home = page.locator(".brand").get_attribute("href")
        assert home == f"{settings.SITE_URL}/{language}/"
    finally:
        context.close()
    assert unquote(download.suggested_filename).endswith("streetwave.html")
