"""The home page and the campaign page on a phone, the campaign page without JavaScript, and the
map as one zooms in: phases in popups, city names, finer outlines, all from our own origin."""

import datetime as dt
import re

import pytest

from .leaflet import open_a_popup, settle

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


@pytest.mark.parametrize("language", ["en", "fa"])
def test_map_popups_say_the_phase_by_the_clock(visit, screenshots, language):
    from streetwave.actions.models import Action

    def popup_at(moment):
        """The popup of the first marker, on a page whose clock reads `moment`, and its action."""
        seen = visit()
        seen.page.clock.install(time=moment)
        seen.go(f"/{language}/c/{seen.site.slug}/map/")
        seen.page.wait_for_selector("[data-map-ready]")
        popup = open_a_popup(seen.page)
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
        settle(page)


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


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _field(number: int, payload: bytes | int) -> bytes:
    if isinstance(payload, int):
        return _varint(number << 3) + _varint(payload)
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _land_tile() -> bytes:
    """A Mapbox vector tile whose "earth" layer is one square covering the whole tile."""

    def zigzag(n):
        return (n << 1) ^ (n >> 31)

    square = [9, 0, 0, 2 | 3 << 3]
    square += [zigzag(n) for n in (4096, 0, 0, 4096, -4096, 0)] + [15]
    feature = _field(3, 3) + _field(4, b"".join(_varint(n) for n in square))
    layer = _field(15, 2) + _field(1, b"earth") + _field(2, feature) + _field(5, 4096)
    return _field(3, layer)


def _pmtiles_of_land() -> bytes:
    """A PMTiles v3 archive whose every tile at zoom 4 and 5 is land (the map asks for data one
    zoom below the display zoom): one tile stored once, two runs of the directory."""
    tile = _land_tile()
    first_of = {4: sum(4**z for z in range(4)), 5: sum(4**z for z in range(5))}
    directory = _varint(2)
    directory += _varint(first_of[4]) + _varint(first_of[5] - first_of[4])  # ids as deltas
    directory += _varint(4**4) + _varint(4**5)  # run lengths
    directory += _varint(len(tile)) * 2  # lengths
    directory += _varint(0 + 1) + _varint(0 + 1)  # offsets, each written as offset + 1
    metadata = b"{}"
    root = 127
    header = b"PMTiles" + bytes([3])
    for number in (
        root,
        len(directory),
        root + len(directory),
        len(metadata),
        root + len(directory) + len(metadata),
        0,
        root + len(directory) + len(metadata),
        len(tile),
        4**4 + 4**5,
        2,
        1,
    ):
        header += number.to_bytes(8, "little")
    # clustered, internal compression none, tile compression none, vector tiles, zooms 4-5
    header += bytes([1, 1, 1, 1, 4, 5])
    for degrees in (-180, -85, 180, 85):
        header += (degrees * 10_000_000).to_bytes(4, "little", signed=True)
    header += bytes([4]) + (0).to_bytes(4, "little") + (0).to_bytes(4, "little")
    assert len(header) == root
    return header + directory + metadata + tile


def test_a_configured_basemap_is_drawn_from_our_own_origin(visit, settings, screenshots):
    # given an operator's PMTiles extract on the instance's own origin (served here with Range
    # requests, as the reverse proxy serves it)
    archive = _pmtiles_of_land()
    settings.MAP_BASEMAP_PMTILES = "/media/basemap/land.pmtiles"
    visit = visit()
    page = visit.page
    ranges = []

    def serve(route):
        match = re.fullmatch(r"bytes=(\d+)-(\d+)", route.request.headers.get("range", ""))
        start, end = (int(match[1]), int(match[2])) if match else (0, len(archive) - 1)
        end = min(end, len(archive) - 1)
        ranges.append((start, end))
        route.fulfill(
            status=206,
            headers={
                "Content-Type": "application/octet-stream",
                "Content-Range": f"bytes {start}-{end}/{len(archive)}",
                "Accept-Ranges": "bytes",
            },
            body=archive[start : end + 1],
        )

    page.route(f"{visit.site.url}/media/basemap/land.pmtiles", serve)
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    # when the map is drawn and zoomed in to a region
    visit.go(f"/en/c/{visit.site.slug}/map/")
    page.wait_for_selector("[data-basemap-ready]")
    _zoom_in_to_a_region(page)
    while page.evaluate("document.querySelector('.leaflet-basemap-pane canvas') === null"):
        page.locator(".leaflet-control-zoom-in").click()
        settle(page)
    # then protomaps-leaflet, from our static files, read the archive by ranges and drew land
    page.wait_for_function(
        """() => [...document.querySelectorAll(".leaflet-basemap-pane canvas")].some((canvas) => {
            const pixel = canvas.getContext("2d").getImageData(
                canvas.width / 2, canvas.height / 2, 1, 1).data;
            return pixel[3] > 0;
        })"""
    )
    page.screenshot(path=screenshots / "map-basemap-en.png")
    scripts = [url for url in requests if "protomaps-leaflet" in url]
    assert len(scripts) == 1 and scripts[0].startswith(f"{visit.site.url}/static/")
    assert ranges and all(end - start < len(archive) for start, end in ranges)
    assert "OpenStreetMap" in page.locator(".leaflet-control-attribution").inner_text()
