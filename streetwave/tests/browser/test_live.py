"""The wave and the tally, at load and as they refresh themselves."""

import pytest
from django.core.cache import cache

# django_db makes pytest-django create the test database the `site` fixture fills; each test
# runs in a transaction rolled back after it (the server shares it on SQLite).
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

STATES = {"wave-now", "wave-next", "wave-done", "wave-later"}


def test_wave_page_shows_the_zones_in_the_order_the_day_reaches_them(visit, screenshots):
    visit = visit()
    page = visit.page
    visit.go(f"/fa/c/{visit.site.slug}/wave/")

    groups = page.locator("li.wave-group")
    assert groups.count() >= 10
    states = [(set(group.get_attribute("class").split()) & STATES).pop() for group in groups.all()]
    assert states.count("wave-next") <= 1
    # Persian digits in the offsets, which run from east to west
    offsets = page.locator("li.wave-group .offset").all_inner_texts()
    assert offsets[0].startswith("UTC+۱")
    assert page.locator(".wave-summary").is_visible()
    page.screenshot(path=screenshots / "wave-fa.png", full_page=True)


def test_tally_refreshes_itself_and_an_unchanged_one_costs_a_304(visit):
    # given a visitor watching the campaign page, with a fake clock for the 15 s polling
    watcher = visit()
    page = watcher.page
    page.clock.install()
    watcher.go(f"/en/c/{watcher.site.slug}/")
    going = "[data-live-src] .tally-facts li:last-child"
    before = page.locator(going).inner_text()
    statuses = []
    page.on("response", lambda r: "/tally/" in r.url and statuses.append(r.status))

    # when 15 seconds pass twice with nothing new, each poll costs a 304 and changes nothing
    for _poll in range(2):
        with page.expect_response(lambda response: "/tally/" in response.url):
            page.clock.run_for(15_000)
    assert page.locator(going).inner_text() == before

    # and when someone else RSVPs (through the server, so it is committed on any database)
    # and the cached tally expires
    other = visit()
    other.go(f"/en/a/{other.site.open_action}/")
    other.page.locator("label[for=id_consent]").click()
    other.page.locator("section.rsvp button[type=submit]").click()
    other.page.locator(".private-link").wait_for()
    cache.clear()
    with page.expect_response(lambda response: "/tally/" in response.url):
        page.clock.run_for(15_000)

    # then the watcher's page shows the new count without a reload
    page.wait_for_function(
        "([selector, before]) => document.querySelector(selector).innerText !== before",
        arg=[going, before],
    )
    assert statuses == [304, 304, 200]
