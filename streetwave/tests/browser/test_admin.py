"""The admin in Persian, on a phone and on a laptop: right to left, the instance's name in its
titles, and the pages that show people open only after a reason. The screenshots
(admin-fa-<screen>-<page>.png) are the ones the admin's closing note names."""

import pytest
from django.contrib.auth import get_user_model

from .sharing import writes_rows_the_server_shows

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

SCREENS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
PAGES = [("index", "/fa/admin/"), ("audit", "/fa/admin/audit/auditentry/")]


def overflow(page) -> int:
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


@writes_rows_the_server_shows
@pytest.mark.parametrize("screen", sorted(SCREENS))
def test_the_persian_admin_reads_right_to_left(visit, site, states, screenshots, screen):
    # Given the coordinator of the demo made an operator with staff status, signed in with
    # their second factor
    email = site.organizers[0][0]
    get_user_model().objects.filter(email=email).update(is_staff=True, is_superuser=True)
    visit = visit(viewport=SCREENS[screen], storage_state=states["coordinator"])
    page = visit.page

    # When they open the admin's pages in Persian
    for name, path in PAGES:
        response = visit.go(path)
        page.screenshot(path=str(screenshots / f"admin-fa-{screen}-{name}.png"), full_page=True)

        # Then each reads right to left, in Persian, under the instance's name, within the screen
        assert response.status == 200, path
        assert page.locator("html").get_attribute("dir") == "rtl"
        assert page.locator("html").get_attribute("lang") == "fa"
        assert page.evaluate("() => getComputedStyle(document.body).direction") == "rtl"
        assert "Django" not in page.title()
        assert "Django" not in page.locator("#header").inner_text()
        assert overflow(page) <= 0, path

    # And the list of accounts asks for a reason first, then opens
    visit.go("/fa/admin/accounts/user/")
    assert "/fa/admin/accounts/user/reason/" in page.url
    page.screenshot(path=str(screenshots / f"admin-fa-{screen}-reason.png"), full_page=True)
    assert overflow(page) <= 0
    page.fill("textarea[name=reason]", "درخواست مسئول گروه محلی برای بازگرداندن دسترسی")
    with page.expect_navigation():
        page.locator("input[type=submit]").click()
    assert page.url.endswith("/fa/admin/accounts/user/")
    assert page.locator("#result_list").count() == 1
    page.screenshot(path=str(screenshots / f"admin-fa-{screen}-users.png"), full_page=True)
    assert overflow(page) <= 0
