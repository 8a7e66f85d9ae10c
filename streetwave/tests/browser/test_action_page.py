"""The action page in a real browser, in English and Persian, on a phone and a desktop: the change
history reads from before to after, the small map draws from our own origin, the RSVP button
stays in view on a phone, the link can be shared or copied, and without JavaScript the form, the
address and the map-app link are all there."""

import datetime as dt

import pytest

from .sharing import writes_rows_the_server_shows

# django_db makes pytest-django create the test database the `site` fixture fills; each test
# runs in a transaction rolled back after it (the server shares it on SQLite).
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
KB = 1024
# As for the campaign page (docs/frontend.md): HTML and CSS without JavaScript, and everything
# up to a drawn map.
BUDGET_WITHOUT_MAP = 60 * KB
BUDGET_WITH_MAP = 350 * KB


def box(locator):
    found = locator.bounding_box()
    assert found is not None, f"{locator} is not visible"
    return found


def record_weight(screenshots, what, visit):
    total = sum(visit.transferred.values())
    with open(screenshots / "page-weights.txt", "a") as report:
        report.write(f"{what}: {total / KB:.1f} KB in {len(visit.transferred)} requests\n")


@pytest.fixture
def moved_action(site, move_action):
    """The demo's open action, moved an hour later from a place with a Latin name."""
    from streetwave.actions.models import Action

    action = Action.objects.get(public_id=site.open_action)
    move_action(
        action, "Old Town Square", new_place="New Market Street", earlier=dt.timedelta(hours=1)
    )
    return action


@writes_rows_the_server_shows
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("language", ["en", "fa"])
def test_the_change_history_points_from_before_to_after(visit, moved_action, language, viewport):
    # given an action whose time and place changed
    visit = visit()
    page = visit.page
    page.set_viewport_size(viewport)

    # when its page is read
    visit.go(f"/{language}/a/{moved_action.public_id}/")
    lines = page.locator(".notice-changed li")
    assert lines.count() == 2

    # then on each line, read in the page's direction (left to right in English, right to left
    # in Persian), the old comes first, then the arrow pointing that way, then the new
    rtl = language == "fa"
    for index in range(2):
        line = lines.nth(index)
        old_end, arrow, new_start = line.evaluate(READING_ORDER)
        assert line.locator(".arrow").inner_text() == ("←" if rtl else "→")
        assert before_in_reading(old_end, arrow, rtl), (old_end, arrow)
        assert before_in_reading(arrow, new_start, rtl), (arrow, new_start)


# The boxes, on screen, of the last piece of the old (a line may wrap), the arrow and the first
# piece of the new.
READING_ORDER = """(line) => {
    const pieces = (selector) => [...line.querySelector(selector).getClientRects()];
    const plain = (r) => ({left: r.left, right: r.right, top: r.top, bottom: r.bottom});
    return [pieces("del").at(-1), pieces(".arrow")[0], pieces("ins")[0]].map(plain);
}"""


def before_in_reading(first, second, rtl):
    """Whether the box `first` comes before `second` for a reader: on an earlier line, or on the
    same line on the side the line starts from."""
    if first["bottom"] <= second["top"]:
        return True
    if second["bottom"] <= first["top"]:
        return False
    if rtl:
        return first["left"] >= second["right"] - 0.5
    return first["right"] <= second["left"] + 0.5


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("language", ["en", "fa"])
def test_the_small_map_draws_the_place_from_our_own_origin(visit, screenshots, language, viewport):
    # given the page of an action (every request elsewhere is blocked and fails the test)
    visit = visit()
    page = visit.page
    page.set_viewport_size(viewport)
    visit.go(f"/{language}/a/{visit.site.open_action}/")

    # when the reader comes to the map
    page.locator("[data-action-map]").scroll_into_view_if_needed()
    page.wait_for_selector("[data-map-ready]")
    page.wait_for_load_state("networkidle")

    # then the outlines are drawn, the place is marked and named, the credits are given
    assert page.locator(".action-map .leaflet-overlay-pane canvas").count() == 1
    assert page.locator(".place-marker").is_visible()
    assert page.locator(".action-map .leaflet-tooltip").inner_text()
    assert "Natural Earth" in page.locator(".leaflet-control-attribution").inner_text() or (
        language == "fa"
    )
    # and the whole page with its map stays within the budget
    assert sum(visit.transferred.values()) <= BUDGET_WITH_MAP, visit.transferred
    record_weight(
        screenshots, f"action page ({language}, {viewport['width']} px, map drawn)", visit
    )


def test_the_map_files_load_only_once_the_map_nears_the_screen(visit):
    # given a phone at the top of an action's page whose map is far below the first screen
    visit = visit()
    page = visit.page
    page.set_viewport_size(PHONE)
    visit.go(f"/en/a/{visit.site.open_action}/")
    page.wait_for_load_state("networkidle")
    map_top = box(page.locator("[data-action-map]"))["y"]
    if map_top < PHONE["height"] + 300:
        pytest.skip("this action's page is short enough for its map to load at once")

    # then nothing of the map has loaded yet
    assert not any("leaflet" in url or "countries" in url for url in visit.transferred)

    # when the reader scrolls down to it, it loads and draws
    page.locator("[data-action-map]").scroll_into_view_if_needed()
    page.wait_for_selector("[data-map-ready]")
    assert any("leaflet" in url for url in visit.transferred)


@pytest.mark.parametrize("language", ["en", "fa"])
def test_on_a_phone_the_rsvp_button_stays_in_view_until_the_form(visit, screenshots, language):
    # given a phone at the top of an action's page, the form below the first screen
    visit = visit()
    page = visit.page
    page.set_viewport_size(PHONE)
    visit.go(f"/{language}/a/{visit.site.open_action}/")
    assert box(page.locator("#rsvp-heading"))["y"] > PHONE["height"]

    # then the page says where the action stands (under way or ahead, by the hour of the run),
    # in letters that stand out from their box
    banner = page.locator(".action-phase strong")
    assert banner.inner_text()
    colours = banner.evaluate(
        "(node) => [getComputedStyle(node).color,"
        " getComputedStyle(node.closest('.action-phase')).backgroundColor]"
    )
    assert colours[0] != colours[1], colours

    # and an RSVP button is on screen, at its bottom
    button = page.locator(".rsvp-jump a")
    assert button.is_visible()
    where = box(button)
    assert PHONE["height"] - 100 < where["y"] + where["height"] <= PHONE["height"]
    page.screenshot(path=screenshots / f"phone-{language}-action.png")

    # when the reader taps it, the form comes into view and the bar steps aside
    button.click()
    heading = box(page.locator("#rsvp-heading"))
    assert -1 <= heading["y"] < PHONE["height"]
    page.wait_for_function("document.querySelector('.rsvp-jump').classList.contains('is-hidden')")
    assert not button.is_visible()
    page.fill("#id_pseudonym", "Niloufar")

    # and the whole page, its map drawn, for the record (the bar stays aside while the form
    # shows)
    page.locator("[data-action-map]").scroll_into_view_if_needed()
    page.wait_for_selector("[data-map-ready]")
    page.locator("#rsvp").scroll_into_view_if_needed()
    page.screenshot(path=screenshots / f"phone-{language}-action-full.png", full_page=True)


def test_on_a_desktop_there_is_no_rsvp_bar(visit):
    visit = visit()
    visit.page.set_viewport_size(DESKTOP)
    visit.go(f"/en/a/{visit.site.open_action}/")
    assert not visit.page.locator(".rsvp-jump").is_visible()


@pytest.mark.parametrize("language", ["en", "fa"])
def test_without_a_share_sheet_the_link_is_copied(visit, language):
    # given a browser with a clipboard and no share sheet
    visit = visit(permissions=["clipboard-read", "clipboard-write"])
    page = visit.page
    page.add_init_script("delete Navigator.prototype.share; delete navigator.share;")
    visit.go(f"/{language}/a/{visit.site.open_action}/")
    assert not page.locator("[data-share-native]").is_visible()

    # when the reader copies the link
    page.locator("[data-share-copy]").click()

    # then the page's own address is on the clipboard, and the page says so
    page.wait_for_function("document.querySelector('.share-status').textContent !== ''")
    expected = f"{visit.site.url}/{language}/a/{visit.site.open_action}/"
    assert page.evaluate("navigator.clipboard.readText()") == expected
    assert page.locator(".share-status").inner_text()


def test_with_a_share_sheet_the_page_is_shared_through_it(visit):
    # given a browser with a share sheet (recorded here instead of shown)
    visit = visit()
    page = visit.page
    page.add_init_script(
        "window.__shared = [];"
        "Object.defineProperty(navigator, 'share', {value: (data) => {"
        " window.__shared.push(data); return Promise.resolve(); }});"
    )
    visit.go(f"/en/a/{visit.site.open_action}/")
    assert not page.locator("[data-share-copy]").is_visible()

    # when the reader shares
    page.locator("[data-share-native]").click()

    # then the sheet gets the title and the page's address
    shared = page.evaluate("window.__shared")
    assert shared == [
        {
            "title": page.locator("h1").inner_text(),
            "url": f"{visit.site.url}/en/a/{visit.site.open_action}/",
        }
    ]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("language", ["en", "fa"])
def test_without_javascript_the_form_the_address_and_the_map_app_link_work(
    visit, screenshots, language, viewport
):
    # given a browser without JavaScript
    visit = visit(java_script_enabled=False)
    page = visit.page
    page.set_viewport_size(viewport)

    # when it opens an action's page
    visit.go(f"/{language}/a/{visit.site.open_action}/", wait_until="networkidle")

    # then the form, the address, the map-app link and the page's link are there
    assert page.locator("section.rsvp form button[type=submit]").is_visible()
    assert page.locator(".facts .place").inner_text()
    geo = page.locator("a.geo-link")
    assert geo.is_visible() and geo.get_attribute("href").startswith("geo:")
    assert page.locator(".share-url").is_visible()
    # and nothing that needs a script shows: no empty map, no dead buttons
    assert not page.locator("[data-action-map]").is_visible()
    assert not page.locator(".share button").first.is_visible()
    assert not page.locator(".share button").last.is_visible()
    # and the RSVP bar is a plain link to the form
    if viewport == PHONE:
        page.locator(".rsvp-jump a").click()
        assert page.url.endswith("#rsvp")
    # and the page with its style sheets stays light (fonts aside, as for the campaign page)
    html_and_css = {
        url: size for url, size in visit.transferred.items() if url.endswith(".css") or "/a/" in url
    }
    assert len(html_and_css) == 3, sorted(html_and_css)  # the page, site.css, action.css
    assert sum(html_and_css.values()) <= BUDGET_WITHOUT_MAP, html_and_css
    record_weight(
        screenshots, f"action page ({language}, {viewport['width']} px, no JavaScript)", visit
    )


@writes_rows_the_server_shows
def test_a_description_in_a_latin_script_reads_left_to_right_on_a_persian_page(visit):
    # given an action whose organizers wrote its description in German, with a list
    from streetwave.actions.models import Action

    visit = visit()
    Action.objects.filter(public_id=visit.site.open_action).update(
        description="Bitte beachtet:\n\n- kommt früh\n- bringt Wasser mit!"
    )

    # when the Persian page shows it
    visit.go(f"/fa/a/{visit.site.open_action}/")

    # then the description, its list and its bullets run left to right, the page right to left
    direction = "(node) => getComputedStyle(node).direction"
    assert visit.page.locator("html").evaluate(direction) == "rtl"
    assert visit.page.locator(".description").evaluate(direction) == "ltr"
    item = visit.page.locator(".description li").last
    assert item.evaluate(direction) == "ltr"
    assert item.inner_text().endswith("mit!")


@writes_rows_the_server_shows
@pytest.mark.parametrize("language", ["en", "fa"])
def test_a_title_in_persian_with_a_latin_place_reads_right_to_left_in_any_list(visit, language):
    # given an action titled in Persian after a square with a Latin name
    from streetwave.actions.models import Action

    visit = visit()
    action = Action.objects.select_related("hub").get(public_id=visit.site.open_action)
    Action.objects.filter(pk=action.pk).update(title="تجمع برای آزادی — Mel Lastman Square")

    # when the hub's page lists it, in English or in Persian
    visit.go(f"/{language}/h/{action.hub.public_id}/")
    link = visit.page.locator(f'main a[href$="/a/{action.public_id}/"]').first

    # then the Persian words start at the right and the square's name ends the title on the left
    first_letter, square = link.evaluate(
        """(link) => {
            const text = link.firstChild;
            const at = (start, end) => {
                const range = document.createRange();
                range.setStart(text, start);
                range.setEnd(text, end);
                return range.getBoundingClientRect().left;
            };
            const mel = text.data.indexOf("Mel");
            return [at(0, 1), at(mel, mel + 3)];
        }"""
    )
    assert first_letter > square
