"""The home page, the list of actions by country and city, the campaign page without JavaScript,
and the one count of hubs taking part."""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.utils import timezone

from streetwave.campaigns.models import Campaign
from streetwave.campaigns.tally import compute_tally
from streetwave.core.collation import sort_key
from streetwave.hubs.tree import hub_tree_for

pytestmark = pytest.mark.django_db


def _countries(html: str) -> list[str]:
    """The campaign page's list of countries, as read: "Country AR (6 actions)"."""
    listed = re.search(r'<ul class="countries">(.*?)</ul>', html, re.S)
    assert listed, "no list of countries"
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", item)).strip()
        for item in re.findall(r"<li>(.*?)</li>", listed.group(1), re.S)
    ]


@pytest.fixture
def argentina(make_campaign, make_city, make_hub, make_action):
    """Six actions in Argentina, all in one city; one in Germany."""
    campaign = make_campaign(goal=20)
    buenos_aires = make_city(
        "Buenos Aires", country="AR", timezone="America/Argentina/Buenos_Aires", lat=-34.6
    )
    hub = make_hub("Buenos Aires hub", city=buenos_aires)
    for number in range(6):
        make_action(hub=hub, campaign=campaign, title=f"Rally {number}")
    make_action(hub=make_hub("Berlin hub"), campaign=campaign, title="Berlin rally")
    cache.clear()
    return campaign


def test_the_country_list_counts_actions_not_cities(client, argentina):
    # given six actions in one Argentinian city
    # when the campaign page lists them by country
    html = client.get(f"/en/c/{argentina.slug}/").content.decode()
    # then Argentina says six actions, not one city
    assert "Country AR (6 actions)" in _countries(html)
    assert "Country DE (1 action)" in _countries(html)
    # and the actions themselves are on each country's page, not here
    assert "Rally 0" not in html
    assert f'href="/en/c/{argentina.slug}/places/ar/"' in html


def test_a_country_page_lists_its_actions_by_city_and_no_others(client, argentina):
    html = client.get(f"/en/c/{argentina.slug}/places/ar/").content.decode()

    assert "Actions in Country AR" in html
    assert "Buenos Aires" in html
    assert all(f"Rally {number}" in html for number in range(6))
    assert "Berlin rally" not in html


def test_a_country_page_of_a_country_without_actions_says_so(client, argentina, make_city):
    make_city("Paris", country="FR", timezone="Europe/Paris", lat=48.86, lon=2.35)

    response = client.get(f"/en/c/{argentina.slug}/places/fr/")

    assert response.status_code == 200
    assert "No actions yet." in response.content.decode()


def test_a_country_page_of_no_country_is_a_404(client, argentina):
    assert client.get(f"/en/c/{argentina.slug}/places/xx/").status_code == 404


def test_persian_sort_key_follows_the_persian_alphabet():
    # given names that begin with the letters Persian adds to the Arabic alphabet
    names = [
        "یمن",
        "گرجستان",
        "پاکستان",
        "ژاپن",
        "چین",
        "کانادا",
        "بلژیک",
        "آلمان",
        "ایران",
        "ترکیه",
    ]
    # when sorted with the Persian key (and, for contrast, by code point)
    ordered = sorted(names, key=lambda name: sort_key(name, "fa"))
    # then پ after ب, چ after ج's neighbours, ژ after ز, گ after ک, and آ first
    assert ordered == [
        "آلمان",
        "ایران",
        "بلژیک",
        "پاکستان",
        "ترکیه",
        "چین",
        "ژاپن",
        "کانادا",
        "گرجستان",
        "یمن",
    ]
    assert sorted(names) != ordered


def test_persian_sort_key_folds_arabic_letter_forms():
    assert sort_key("كويت", "fa") == sort_key("کویت", "fa")
    assert sort_key("Österreich", "de") < sort_key("Polen", "de")


@pytest.fixture
def four_countries(make_campaign, make_city, make_hub, make_action):
    campaign = make_campaign()
    countries = [
        ("PK", "پاکستان", "Karachi", "کراچی"),
        ("CN", "چین", "Beijing", "پکن"),
        ("JP", "ژاپن", "Tokyo", "توکیو"),
        ("GE", "گرجستان", "Tbilisi", "تفلیس"),
        ("YE", "یمن", "Sanaa", "صنعا"),
        ("BE", "بلژیک", "Brussels", "بروکسل"),
    ]
    from streetwave.places.models import Country

    for code, name_fa, city, city_fa in countries:
        Country.objects.create(code=code, name=f"{city} land", name_fa=name_fa)
        place = make_city(city, country=code, timezone="UTC", name_fa=city_fa)
        make_action(hub=make_hub(f"{city} hub", city=place), campaign=campaign)
    cache.clear()
    return campaign


def test_the_persian_country_list_is_in_persian_alphabetical_order(client, four_countries):
    # given countries whose Persian names begin with ب پ چ ژ گ ی
    # when the Persian campaign page lists them
    html = client.get(f"/fa/c/{four_countries.slug}/").content.decode()
    names = [summary.split(" (")[0] for summary in _countries(html)]
    # then they follow the Persian alphabet (by code point, پ چ ژ گ would come after ی)
    assert names == ["بلژیک", "پاکستان", "چین", "ژاپن", "گرجستان", "یمن"]


def test_the_english_country_list_is_in_english_order(client, four_countries):
    html = client.get(f"/en/c/{four_countries.slug}/").content.decode()
    names = [summary.split(" (")[0] for summary in _countries(html)]
    assert names == sorted(names)


def test_without_javascript_the_campaign_page_shows_no_empty_map_heading(client, argentina):
    # given the campaign page as a browser without JavaScript gets it
    html = client.get(f"/en/c/{argentina.slug}/").content.decode()
    # then the map's section, heading included, is hidden until the map script draws a map
    section = re.search(r"<section[^>]*data-map-section[^>]*>", html)
    assert section and " hidden" in section.group(0)
    assert 'id="map-heading"' in html[section.start() :]
    # and the list of actions stands in for it
    assert "Actions by country and city" in html


def test_the_search_comes_before_the_call_on_the_campaign_page(client, argentina):
    html = client.get(f"/en/c/{argentina.slug}/").content.decode()
    assert "{#" not in html and "#}" not in html
    assert html.index('id="find-heading"') < html.index('class="statement"')
    assert html.index("<h1") < html.index('id="find-heading"')


def test_home_shows_current_and_coming_campaigns_with_dates_streets_and_one_call(
    client, argentina, make_campaign
):
    # given a campaign under way (7 of 20 streets) and one that starts next month
    coming = make_campaign(slug="coming")
    Campaign.objects.filter(pk=coming.pk).update(
        starts_at=timezone.now() + dt.timedelta(days=30),
        ends_at=timezone.now() + dt.timedelta(days=31),
    )
    over = make_campaign(slug="over")
    Campaign.objects.filter(pk=over.pk).update(
        starts_at=timezone.now() - dt.timedelta(days=30),
        ends_at=timezone.now() - dt.timedelta(days=29),
    )
    # when the home page is shown
    html = client.get("/en/").content.decode()
    # then both are there, the current one first, with their windows and streets so far
    assert html.index(f"/c/{argentina.slug}/") < html.index("/c/coming/")
    assert "/c/over/" not in html
    assert "Happening now" in html and "Coming up" in html
    assert "7 of 20 streets" in html
    assert html.count("From ") >= 2
    # and one call to action, leading to the search of the campaign under way
    assert html.count("Find an action near you") == 1
    assert f'href="/en/c/{argentina.slug}/#find-heading"' in html


def test_home_in_persian_shows_jalali_dates_beside_gregorian(client, argentina):
    html = client.get("/fa/").content.decode()
    jalali_month = "فروردین|اردیبهشت|خرداد|تیر|مرداد|شهریور|مهر|آبان|آذر|دی|بهمن|اسفند"
    window = re.search(r'<p class="window">(.*?)</p>', html, re.S).group(1)
    assert re.search(jalali_month, window) and "—" in window
    assert "۷" in html


def test_home_reads_the_cached_tally_not_the_actions(
    client, argentina, django_assert_max_num_queries
):
    client.get("/en/")  # builds the tally copy
    with django_assert_max_num_queries(2):  # the session-free page: the campaigns only
        client.get("/en/")


def test_the_hub_tree_and_the_tally_count_the_same_hubs(
    argentina, make_hub, make_action, make_city
):
    # given hubs with only a draft, only a cancelled or only a pending action in the campaign
    for status in ("draft", "cancelled", "pending"):
        # a pending action is held for a coordinator (the one two-person rule)
        approval = "held" if status == "pending" else "approved"
        make_action(
            hub=make_hub(f"{status} hub"), campaign=argentina, status=status, approval=approval
        )
    # when the hub tree and the tally count the hubs taking part
    tree = hub_tree_for(argentina)
    tally = compute_tally(argentina)
    # then they agree: two hubs with public actions
    assert tally["hubs"] == 2
    assert tree.taking_part == tally["hubs"]


def test_city_labels_name_the_larger_cities_in_the_page_language(client, make_city):
    # given a megacity, a city of half a million and a town too small to name
    make_city("Tehran", country="IR", timezone="Asia/Tehran", name_fa="تهران", population=8_700_000)
    make_city("Hamburg", name_fa="هامبورگ", population=500_000)
    make_city("Tiny", population=5_000)
    # when the map asks for the city names in Persian and in English
    persian = client.get("/fa/map/cities.json")
    english = client.get("/en/map/cities.json").json()["cities"]
    # then the largest comes first and is named from a world view, the smaller one later on
    cities = persian.json()["cities"]
    assert [(name, zoom) for _lat, _lon, name, zoom in cities] == [("تهران", 3), ("هامبورگ", 5)]
    assert [name for _lat, _lon, name, _zoom in english] == ["Tehran", "Hamburg"]
    # and browsers may keep the document for a day
    assert "max-age=86400" in persian["Cache-Control"] and "public" in persian["Cache-Control"]


def test_without_a_basemap_setting_the_map_loads_no_basemap(client, argentina):
    html = client.get(f"/en/c/{argentina.slug}/map/").content.decode()
    assert "data-basemap" not in html and "protomaps" not in html
    assert "countries-50m" in html and "/en/map/cities.json" in html


def test_a_configured_basemap_is_drawn_from_our_own_origin(client, argentina, settings):
    settings.MAP_BASEMAP_PMTILES = "/media/basemap/region.pmtiles"
    html = client.get(f"/en/c/{argentina.slug}/map/").content.decode()
    assert 'data-basemap="/media/basemap/region.pmtiles"' in html
    assert re.search(r'data-basemap-script="/static/vendor/protomaps-leaflet/[^"]+\.js"', html)
