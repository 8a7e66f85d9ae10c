"""Count-only participation on a phone (campaigns.services.count_joined_inside): someone inside
chooses their city and presses one button, with or without JavaScript, in Persian or English;
the city's counter goes up by one, nothing is asked, and nothing comes from another origin."""

import pytest

from .sharing import writes_rows_the_server_shows

# The tests write rows the live server must show (a high-risk country, its cities, an action).
pytestmark = [pytest.mark.browser, pytest.mark.django_db, writes_rows_the_server_shows]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def inside_country(site):
    """The demo's Germany is high-risk for the instance during the test: the inside page lists
    its cities."""
    from streetwave.places.models import Country

    Country.objects.filter(code="DE").update(high_risk=True)


def joined_in(site, geonameid: str) -> int:
    from streetwave.campaigns.models import InsideCount

    row = InsideCount.objects.filter(campaign__slug=site.slug, city__geonameid=geonameid).first()
    return row.count if row else 0


@pytest.mark.parametrize("scripts", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("language", ["fa", "en"])
def test_a_phone_says_it_joined_with_one_button(
    visit, inside_country, screenshots, language, scripts
):
    # given someone inside on the campaign's inside page, on a phone
    phone = visit(viewport=PHONE, java_script_enabled=scripts)
    phone.go(f"/{language}/c/{phone.site.slug}/inside/")
    city = phone.page.locator("select[name=city] option").nth(1).get_attribute("value")
    before = joined_in(phone.site, city)
    js = "js" if scripts else "no-js"
    phone.page.screenshot(path=screenshots / f"phone-{language}-{js}-inside.png", full_page=True)

    # when they choose their city and press the one button
    phone.page.locator("select[name=city]").select_option(city)
    phone.page.locator(".inside-form button[type=submit]").click()

    # then they are told it counted, and their city's counter went up by one
    phone.page.locator(".joined").wait_for()
    phone.page.screenshot(
        path=screenshots / f"phone-{language}-{js}-inside-joined.png", full_page=True
    )
    assert joined_in(phone.site, city) == before + 1
    # and the answer offers no second press
    assert phone.page.locator(".inside-form").count() == 0
    # the page reads in its direction and is no wider than the phone
    assert phone.page.get_attribute("html", "dir") == ("rtl" if language == "fa" else "ltr")
    assert phone.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
