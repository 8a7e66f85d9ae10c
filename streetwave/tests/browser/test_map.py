"""The map: drawn from our own origin only, clustered, mirrored in Persian, within budget."""

import re

import pytest

from .leaflet import open_a_popup

# django_db makes pytest-django create the test database the `site` fixture fills; each test
# runs in a transaction rolled back after it (the server shares it on SQLite).
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

KB = 1024
# The budget: the campaign page without its map script, and with the whole map.
BUDGET_WITHOUT_MAP = 60 * KB
BUDGET_WITH_MAP = 350 * KB


@pytest.mark.parametrize("language", ["en", "fa"])
def test_map_draws_outlines_clusters_and_markers_with_popups(visit, screenshots, language):
    visit = visit()
    page = visit.page
    visit.go(f"/{language}/c/{visit.site.slug}/map/")
    page.wait_for_selector("[data-map-ready]")

    # the outlines are drawn (on a canvas) and the actions are clustered
    assert page.locator(".leaflet-overlay-pane canvas").count() == 1
    clusters = page.locator(".marker-cluster")
    assert clusters.count() >= 5
    counts = clusters.all_inner_texts()
    digits = "[۰-۹]+" if language == "fa" else "[0-9]+"
    assert all(re.fullmatch(digits, count) for count in counts), counts
    page.screenshot(path=screenshots / f"map-{language}.png")

    # clusters open into markers as one zooms in, and a marker into its popup
    popup = open_a_popup(page)
    assert popup.locator(".map-popup-title").inner_text()
    assert popup.locator(".map-popup-city").inner_text()
    assert re.search(digits, popup.locator(".map-popup-time").inner_text())
    assert re.fullmatch(rf"/{language}/a/\w+/", popup.locator("a").get_attribute("href"))

    # and the popup's close button sits at the end of the line: right in English, left in Persian
    wrapper = page.locator(".leaflet-popup-content-wrapper").bounding_box()
    close = page.locator(".leaflet-popup-close-button").bounding_box()
    at_left = close["x"] < wrapper["x"] + wrapper["width"] / 2
    assert at_left == (language == "fa")
    if language == "fa":
        page.wait_for_timeout(300)  # the popup's fade-in
        page.screenshot(path=screenshots / "map-popup-fa.png")


def test_outlines_never_cross_the_antimeridian(visit):
    visit = visit()
    page = visit.page
    visit.go(f"/en/c/{visit.site.slug}/map/")
    page.wait_for_selector("[data-map-ready]")

    # the map's own outlines, through the page's own fix
    report = page.evaluate(
        """async () => {
            const url = document.querySelector("[data-map]").dataset.outlines;
            const topology = await (await fetch(url)).json();
            const countries = topojson.feature(topology, topology.objects.countries).features;
            const result = {jumps: 0, outside: 0, west: {}, east: {}};
            for (const country of countries.map(streetwaveGeo.fixAntimeridian)) {
                const name = country.properties.name;
                for (const polygon of country.geometry.coordinates) {
                    for (const ring of polygon) {
                        ring.forEach((point, i) => {
                            if (point[0] < -180 || point[0] > 180) result.outside++;
                            if (i && Math.abs(point[0] - ring[i - 1][0]) > 180) result.jumps++;
                            if (point[0] < -170) result.west[name] = true;
                            if (point[0] > 170) result.east[name] = true;
                        });
                    }
                }
            }
            return result;
        }"""
    )

    assert report["jumps"] == 0 and report["outside"] == 0
    # Russia and Fiji keep land on both sides of the antimeridian
    for country in ("Russia", "Fiji", "Antarctica"):
        assert report["west"].get(country) and report["east"].get(country), country


def _kilobytes(transferred):
    return f"{sum(transferred.values()) / KB:.1f} KB"


def test_the_guard_blocks_and_counts_requests_to_other_origins(visit):
    # The other tests assert that this count stays 0; here it must not.
    visit = visit()
    with pytest.raises(Exception, match="ERR_FAILED"):
        visit.page.goto("https://example.org/")

    assert visit.blocked == ["https://example.org/"]
    visit.blocked.clear()


@pytest.mark.parametrize("language", ["en", "fa"])
def test_campaign_page_weight_with_and_without_the_map(visit, screenshots, language):
    # without JavaScript: the page's HTML and its style sheets
    plain = visit(java_script_enabled=False)
    plain.go(f"/{language}/c/{plain.site.slug}/", wait_until="networkidle")
    html_and_css = {
        url: size
        for url, size in plain.transferred.items()
        if url.endswith(".css") or f"/c/{plain.site.slug}/" in url
    }
    # the page, site.css, and the map's three style sheets (leaflet, markercluster, ours)
    assert len(html_and_css) == 5, sorted(html_and_css)
    assert sum(html_and_css.values()) <= BUDGET_WITHOUT_MAP, _kilobytes(html_and_css)

    # with JavaScript: everything the page loads until the map is drawn, fonts included
    full = visit()
    full.go(f"/{language}/c/{full.site.slug}/")
    full.page.wait_for_selector("[data-map-ready]")
    full.page.wait_for_load_state("networkidle")
    assert any(url.endswith("map.json") for url in full.transferred)
    assert sum(full.transferred.values()) <= BUDGET_WITH_MAP, _kilobytes(full.transferred)
    with open(screenshots / "page-weights.txt", "a") as report:
        report.write(
            f"campaign page ({language}): {_kilobytes(html_and_css)} HTML+CSS without "
            f"JavaScript; {_kilobytes(full.transferred)} in {len(full.transferred)} requests "
            "with the map, fonts included\n"
        )
