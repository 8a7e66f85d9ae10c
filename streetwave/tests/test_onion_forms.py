"""Forms work through the onion service, with CSRF checks on, as a browser sends them there:
plain HTTP, the onion as Origin and Referer, the CSRF cookie without its Secure flag. The
count-only button of the inside page is the form people inside use."""

import pytest
from django.test import Client, override_settings

from streetwave.campaigns.models import InsideCount

pytestmark = pytest.mark.django_db

CLEAR = "streetwave.example.org"
ONION = "streetwavexyz2b4c6d3e5f7g2h4i6j3k5l7m2n4o6p3q5r7s2t4u6vw.onion"
# settings.py with HTTPS, STREETWAVE_ONION_HOST and CSRF_TRUSTED_ORIGINS for the clear-web name.
PRODUCTION = override_settings(
    SITE_URL=f"https://{CLEAR}",
    ONION_HOST=ONION,
    ONION_SITE_URL=f"http://{ONION}",
    ALLOWED_HOSTS=[CLEAR, ONION],
    CSRF_TRUSTED_ORIGINS=[f"https://{CLEAR}"],
    CSRF_COOKIE_SECURE=True,
    SESSION_COOKIE_SECURE=True,
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
)


@pytest.fixture
def tehran(campaign, make_city):
    from streetwave.places.models import Country

    city = make_city("Tehran", country="IR", timezone="Asia/Tehran", lat=35.69, lon=51.39)
    Country.objects.filter(code="IR").update(high_risk=True)
    return city


def test_the_count_only_button_works_on_the_onion(campaign, tehran):
    browser = Client(enforce_csrf_checks=True)
    page = f"/fa/c/{campaign.slug}/inside/"
    with PRODUCTION:
        shown = browser.get(page, HTTP_HOST=ONION, HTTP_X_FORWARDED_PROTO="http")
        cookie = shown.cookies["csrftoken"]
        pressed = browser.post(
            page,
            {
                "csrfmiddlewaretoken": cookie.value,
                "city": str(tehran.geonameid),
                "city_name": "",
            },
            HTTP_HOST=ONION,
            HTTP_ORIGIN=f"http://{ONION}",
            HTTP_REFERER=f"http://{ONION}{page}",
            HTTP_X_FORWARDED_PROTO="http",
        )

    assert not cookie["secure"]
    assert pressed.status_code == 200
    assert InsideCount.objects.get(campaign=campaign, city=tehran).count == 1


def test_a_form_from_the_onion_sent_to_the_clear_web_name_is_refused(campaign, tehran):
    """The two names are two origins: a page of the onion cannot post to the other name."""
    browser = Client(enforce_csrf_checks=True)
    page = f"/fa/c/{campaign.slug}/inside/"
    with PRODUCTION:
        browser.get(page, HTTP_HOST=CLEAR, secure=True)
        token = browser.cookies["csrftoken"].value
        pressed = browser.post(
            page,
            {"csrfmiddlewaretoken": token, "city": str(tehran.geonameid), "city_name": ""},
            HTTP_HOST=CLEAR,
            secure=True,
            HTTP_ORIGIN=f"http://{ONION}",
            HTTP_REFERER=f"https://{CLEAR}{page}",
        )

    assert pressed.status_code == 403
    assert not InsideCount.objects.filter(campaign=campaign).exists()
