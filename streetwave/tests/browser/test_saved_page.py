"""The inside page saved as one file (core.selfcontained), opened from disk in a browser whose
every request is refused: it shows the same page, in Persian and right to left, with its own
font, on a phone, and asks nothing of anyone."""

from urllib.parse import unquote

import pytest
from django.conf import settings

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def inside_country(site):
    """The demo's Germany is high-risk for the instance during the test: the inside page has a
    country, cities and figures to show."""
    from streetwave.places.models import Country

    Country.objects.filter(code="DE").update(high_risk=True)


@pytest.mark.parametrize("scripts", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("language", ["fa", "en"])
def test_the_saved_inside_page_opens_from_disk_with_no_request(
    visit, browser, inside_country, screenshots, tmp_path, language, scripts
):
    # given a reader on the inside page, on a phone, with or without JavaScript
    online = visit(viewport=PHONE, java_script_enabled=scripts)
    online.go(f"/{language}/c/{online.site.slug}/inside/")
    online.page.locator(".save-page").scroll_into_view_if_needed()
    js = "js" if scripts else "no-js"
    online.page.screenshot(path=screenshots / f"phone-{language}-{js}-inside-save-link.png")

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
        shot = screenshots / f"phone-{language}-{js}-inside-saved.png"
        page.screenshot(path=shot, full_page=True)

        # then it asked for nothing, and the console shows no refused load either
        assert asked == []
        assert errors == []
        # it reads in its language and direction, styled, with the Persian font inlined
        direction = "rtl" if language == "fa" else "ltr"
        assert page.get_attribute("html", "dir") == direction
        assert page.locator(".saved-copy").is_visible()
        assert page.locator(".inside-figures").is_visible()
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
