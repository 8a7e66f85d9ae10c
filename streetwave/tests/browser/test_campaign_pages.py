"""The home page and the campaign page on a phone, the campaign page without JavaScript, and the
map as one zooms in: phases in popups, city names, finer outlines, all from our own origin."""

import datetime as dt
import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

PHONE = {"width": 390, "height": 844}
PERSIAN = re.compile("[\u0600-\u06ff]")
JALALI_MONTH = re.compile("فروردین|اردیبهشت|خرداد|تیر|مرداد|شهریور|مهر|آبان|آذر|دی|بهمن|اسفند")


def _no_horizontal_overflow(page):
    """Nothing in the page's main part reaches past the screen's edges (the header is another
    part's concern)."""
    return page.evaluate(
        """() => [...document.querySelectorAll("main *")].every((node) => {
            // Leaflet's panes reach past the map, which clips them.
            if (node.closest(".leaflet-container")) return true;
            const box = node.getBoundingClientRect();
            return box.width === 0 || (box.left >= -1 && box.right <= innerWidth + 1);
        })"""
    )


@pytest.mark.parametrize("language", ["en", "fa"])
def test_home_on_a_phone_says_what_is_on_and_leads_to_the_search(visit, screenshots, language):
    # given a phone
    visit = visit(viewport=PHONE, is_mobile=True, has_touch=True)
    page = visit.page
    # when the home page opens
    visit.go(f"/{language}/")
    page.screenshot(path=screenshots / f"phone-{language}-home.png")
    # then the campaign of the day is there with its window and its streets so far
    card = page.locator(".campaign-card.is-now").first
    assert card.locator("h3 a").inner_text()
    window = card.locator(".window").inner_text()
    assert re.search("[۰-۹]" if language == "fa" else "[0-9]", window)
    if language == "fa":
        # the Jalali date beside the Gregorian one
        assert "—" in window and re.search(
            "آذر|دی|بهمن|اسفند|فروردین|اردیبهشت|خرداد|تیر|مرداد|شهریور|مهر|آبان", window
        )
    assert card.locator(".streets").inner_text()
    # and one call to action, on the first screen, which leads to the search
    action = page.locator("a.button")
    assert action.count() == 1
    assert action.bounding_box()["y"] + action.bounding_box()["height"] <= PHONE["height"]
    assert _no_horizontal_overflow(page)
    action.click()
    page.wait_for_url(re.compile(r"/c/[\w-]+/#find-heading$"))
    assert page.locator("input#q").is_visible()


@pytest.mark.parametrize("language", ["en", "fa"])
def test_campaign_page_on_a_phone_puts_the_search_on_the_first_screen(visit, screenshots, language):
    # given a phone
    visit = visit(viewport=PHONE, is_mobile=True, has_touch=True)
    page = visit.page
    # when the campaign page opens
    visit.go(f"/{language}/c/{visit.site.slug}/")
    page.wait_for_selector("[data-map-ready]")
    page.screenshot(path=screenshots / f"phone-{language}-campaign.png")
    # then the search field and its button are above the fold, before the call's text
    for control in ("input#q", "section.find button[type=submit]"):
        bottom = page.locator(control).bounding_box()
        assert bottom["y"] + bottom["height"] <= PHONE["height"], control
    statement = page.locator(".statement").bounding_box()
    assert statement["y"] > page.locator("input#q").bounding_box()["y"]
    # and the map, drawn by the script, has its heading
    assert page.locator("#map-heading").is_visible()
    assert _no_horizontal_overflow(page)


def test_without_javascript_the_campaign_page_has_no_empty_map_heading(visit, screenshots):
    # given a browser without JavaScript
    visit = visit(java_script_enabled=False)
    page = visit.page
    # when the campaign page opens
    visit.go(f"/en/c/{visit.site.slug}/")
    # then there is no "Map" heading over an empty space, and the list stands in for the map
    assert not page.locator("#map-heading").is_visible()
    assert not page.locator("[data-map]").is_visible()
    assert page.locator("#places-heading").is_visible()
    page.screenshot(path=screenshots / "campaign-en-no-javascript.png", full_page=True)


def _open_a_popup(page):
    """Clicks clusters until markers show, then the first marker; returns the popup."""
    markers = page.locator(".action-marker:visible")
    for _zoom in range(8):
        if markers.count():
            break
        page.locator(".marker-cluster:visible").first.click()
        page.wait_for_timeout(700)  # Leaflet's zoom animation
    markers.first.click()
    popup = page.locator(".map-popup")
    popup.wait_for()
    return popup


@pytest.mark.parametrize("language", ["en", "fa"])
def test_map_popups_say_the_phase_by_the_clock(visit, screenshots, language):
    from streetwave.actions.models import Action

    def popup_at(moment):
        """The popup of the first marker, on a page whose clock reads `moment`, and its action."""
        seen = visit()
        seen.page.clock.install(time=moment)
        seen.go(f"/{language}/c/{seen.site.slug}/map/")
        seen.page.wait_for_selector("[data-map-ready]")
        popup = _open_a_popup(seen.page)
        href = popup.locator("a").get_attribute("href")
        action = Action.objects.get(public_id=href.rstrip("/").rsplit("/", 1)[1])
        return seen.page, popup, action

    # given the map's data, built now, and the first action one reaches by zooming in
    page, popup, action = popup_at(dt.datetime.now(dt.UTC))
    element = page.locator("[data-map]")
    label = {
        "upcoming": element.get_attribute("data-label-upcoming"),
        "now": element.get_attribute("data-label-now"),
        "ended": element.get_attribute("data-label-ended"),
        "cancelled": element.get_attribute("data-label-cancelled"),
        "completed": element.get_attribute("data-label-completed"),
    }
    rsvp = element.get_attribute("data-label-details")
    details_only = element.get_attribute("data-label-details-only")
    seen = set()
    # when the reader's clock is before, during and after that action, the same data says
    for moment in (
        action.starts_at - dt.timedelta(hours=1),
        action.starts_at + dt.timedelta(minutes=1),
        action.ends_at + dt.timedelta(minutes=1),
    ):
        page, popup, shown = popup_at(moment)
        phase = shown.phase_at(moment).value
        status = popup.locator(".map-popup-status").inner_text()
        link = popup.locator("a").inner_text()
        # then the popup says where the action stands at that moment, and only an action one
        # can still go to invites an RSVP
        if shown.status == Action.Status.CANCELLED:
            assert (status, link) == (label["cancelled"], details_only)
        elif shown.status == Action.Status.COMPLETED:
            assert (status, link) == (label["completed"], details_only)
        else:
            assert status == label[phase]
            assert link == (details_only if phase == "ended" else rsvp)
            seen.add(phase)
    assert {"upcoming", "ended"} <= seen
    if language == "fa":
        assert PERSIAN.search(status)
    page.wait_for_timeout(300)  # the popup's fade-in
    page.screenshot(path=screenshots / f"map-popup-ended-{language}.png")


def _zoom_in_to_a_region(page):
    """Zooms in on the largest cluster of actions (where the cities are) until the map shows a
    region rather than the world, at most three steps."""
    for _ in range(3):
        if page.locator("[data-fine-outlines]").count():
            return
        large = page.locator(".marker-cluster-large:visible")
        (large if large.count() else page.locator(".marker-cluster:visible")).first.click()
        page.wait_for_timeout(700)  # Leaflet's zoom animation


@pytest.mark.parametrize("language", ["en", "fa"])
def test_zooming_in_adds_city_names_and_finer_outlines_from_our_own_origin(
    visit, screenshots, language
):
    visit = visit()
    page = visit.page
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    # given the world map of the campaign, zoomed out
    visit.go(f"/{language}/c/{visit.site.slug}/map/")
    page.wait_for_selector("[data-map-ready]")
    page.wait_for_load_state("networkidle")
    # then it names no city yet, and neither the 1:50m outlines, the city names nor any
    # basemap were asked for
    assert page.locator(".city-label").count() == 0
    assert not [url for url in requests if "countries-50m" in url or "cities.json" in url]
    assert not [url for url in requests if "protomaps" in url or ".pmtiles" in url]
    # when one zooms in to a region
    _zoom_in_to_a_region(page)
    page.wait_for_selector("[data-fine-outlines]")
    page.wait_for_selector(".city-label span")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=screenshots / f"map-zoomed-{language}.png")
    # then the finer outlines and the city names came, once each, from our own origin
    fine = [url for url in requests if "countries-50m" in url]
    assert len(fine) == 1 and fine[0].startswith(visit.site.url)
    names = [url for url in requests if url.endswith("/map/cities.json")]
    assert names == [f"{visit.site.url}/{language}/map/cities.json"]
    # and the cities are named in the page's language
    labels = page.locator(".city-label").all_inner_texts()
    assert labels
    if language == "fa":
        assert sum(bool(PERSIAN.search(label)) for label in labels) > len(labels) / 2
    else:
        assert not any(PERSIAN.search(label) for label in labels)
