"""Organizer pages on a 390 px phone, in English and Persian: the dashboard, a hub's page and an
action's pages fit the screen, and each page of an action carries the same sub-navigation. The
dashboard's screenshots are the ones the closing note names (phone-en-dashboard.png, ...)."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

PHONE = {"width": 390, "height": 844}


def overflow(page) -> int:
    """How many pixels the page is wider than the screen."""
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


@pytest.mark.parametrize("language", ["en", "fa"])
def test_the_organizer_dashboard_fits_a_phone(visit, states, screenshots, language):
    # Given a hub lead signed in on a phone
    visit = visit(viewport=PHONE, storage_state=states["lead"])
    # When they open their dashboard
    response = visit.go(f"/{language}/manage/")
    page = visit.page
    # Then it answers, is no wider than the screen, and is in the language asked for
    assert response.status == 200
    assert page.locator("html").get_attribute("lang") == language
    page.screenshot(path=str(screenshots / f"phone-{language}-dashboard.png"), full_page=True)
    assert overflow(page) <= 0


@pytest.mark.parametrize("language", ["en", "fa"])
def test_a_coordinators_dashboard_fits_a_phone(visit, states, screenshots, language):
    visit = visit(viewport=PHONE, storage_state=states["coordinator"])
    assert visit.go(f"/{language}/manage/").status == 200
    shot = screenshots / f"phone-{language}-coordinator-dashboard.png"
    visit.page.screenshot(path=str(shot), full_page=True)
    assert overflow(visit.page) <= 0


@pytest.mark.parametrize("language", ["en", "fa"])
def test_the_pages_of_a_hub_and_an_action_fit_a_phone_with_one_sub_navigation(
    visit, states, screenshots, language
):
    # Given a hub lead on a phone, on their hub's page from the dashboard
    visit = visit(viewport=PHONE, storage_state=states["lead"])
    visit.go(f"/{language}/manage/")
    page = visit.page
    page.locator(".card h3 a").first.click()
    page.screenshot(path=str(screenshots / f"phone-{language}-hub.png"), full_page=True)
    assert page.locator("nav.subnav [aria-current=page]").count() == 1
    assert overflow(page) <= 0
    # When they open the hub's actions and then one action
    page.locator("nav.subnav .subnav-tabs a").nth(1).click()
    page.screenshot(path=str(screenshots / f"phone-{language}-hub-actions.png"), full_page=True)
    assert overflow(page) <= 0
    page.locator("main table a").first.click()
    # Then every tab of the action's sub-navigation opens a page that fits and marks itself
    tabs = page.locator("nav.subnav .subnav-tabs a")
    hrefs = [tabs.nth(i).get_attribute("href") for i in range(tabs.count())]
    for href in hrefs:
        if "/manage/" not in href or "#" in href:
            continue
        visit.go(href)
        name = href.rstrip("/").rsplit("/", 1)[-1]
        name = "overview" if len(name) > 12 else name
        shot = screenshots / f"phone-{language}-action-{name}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert page.locator(f'nav.subnav a[aria-current=page][href="{href}"]').count() == 1, href
        assert overflow(page) <= 0, href
