import re

import pytest
from django.core.cache import cache

from streetwave.actions import services
from streetwave.campaigns.live import LIVE_REFRESH_AGE, live_key
from streetwave.campaigns.models import Campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def day(make_campaign, make_city, make_hub, make_action):
    """A campaign with actions in three cities of two countries."""
    campaign = make_campaign(goal=10)
    berlin = make_city("Berlin", name_fa="برلین")
    hamburg = make_city("Hamburg", lat=53.55, lon=9.99, name_fa="هامبورگ")
    paris = make_city("Paris", country="FR", timezone="Europe/Paris", lat=48.85, lon=2.35)
    for city in (berlin, hamburg, paris):
        hub = make_hub(f"{city.name} hub", city=city)
        make_action(
            hub=hub,
            campaign=campaign,
            title=f"Rally in {city.name}",
            latitude=city.latitude,
            longitude=city.longitude,
        )
    make_action(hub=hub, campaign=campaign, title="Draft plan", status="draft")
    cache.clear()
    return campaign


def test_home_lists_live_campaigns_only(client, day, make_campaign):
    make_campaign(slug="not-yet", status=Campaign.Status.DRAFT)
    html = client.get("/en/").content.decode()
    assert "Streets for freedom" in html and "/c/not-yet/" not in html


def test_campaign_page_shows_tally_and_actions_by_country_and_city(client, day):
    response = client.get(f"/en/c/{day.slug}/")
    html = response.content.decode()
    # the campaign's window is open: the goal counts streets taken, none verified yet
    assert "0 of 10 streets taken" in html and "3 actions planned" in html
    assert "3 cities" in html and "2 countries" in html and "3 hubs" in html
    assert f'href="/en/c/{day.slug}/places/de/"' in html
    assert 'type="text/calendar"' in html
    listed = client.get(f"/en/c/{day.slug}/places/de/").content.decode()
    assert "Rally in Hamburg" in listed and "Draft plan" not in listed


def test_campaign_page_in_persian_uses_persian_texts_and_digits(client, day):
    html = client.get(f"/fa/c/{day.slug}/").content.decode()
    assert "خیابان برای آزادی" in html and "۱۰" in html


def test_a_draft_campaign_is_a_404(client, make_campaign):
    draft = make_campaign(slug="secret", status=Campaign.Status.DRAFT)
    assert client.get(f"/en/c/{draft.slug}/").status_code == 404


def test_search_by_city_in_either_script_lists_nearest_actions_first(client, day):
    html = client.get(f"/en/c/{day.slug}/", {"q": "هامبورگ"}).content.decode()
    nearest = html.index("Nearest to Hamburg")
    order = [html.index(f"Rally in {name}", nearest) for name in ("Hamburg", "Berlin", "Paris")]
    assert order == sorted(order)


def test_search_for_an_unknown_city_says_so(client, day):
    html = client.get(f"/en/c/{day.slug}/", {"q": "Atlantis"}).content.decode()
    assert "No city called" in html


def test_campaign_page_query_count_does_not_grow_with_actions(
    client, day, make_action, django_assert_max_num_queries
):
    client.get(f"/en/c/{day.slug}/")  # warm the tally cache
    with django_assert_max_num_queries(4) as few:
        client.get(f"/en/c/{day.slug}/")
    for i in range(10):
        make_action(campaign=day, title=f"More {i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(f"/en/c/{day.slug}/")


def test_tally_reads_counters_not_rsvp_rows(client, day, django_assert_num_queries):
    action = day.actions.filter(status="published").first()
    services.create_rsvp(action, language="en", consent=True)
    cache.clear()
    # the campaign, the action rows' aggregates (totals, verified turnout, per country), the
    # counter shards; inside high-risk countries: the streets taken, the people who joined,
    # whether the campaign has such a country
    with django_assert_num_queries(8) as captured:
        from streetwave.campaigns.tally import get_public_tally

        assert get_public_tally(day.slug)["going"] == 1
    assert not any("actions_rsvp" in q["sql"] for q in captured.captured_queries)


def test_near_a_position_lists_actions_by_distance_with_the_distance(client, day):
    # when a visitor shares a position in Hamburg (rounded by the page's script)
    response = client.get(f"/en/c/{day.slug}/", {"near": "53.55,9.99"})

    # then the nearest actions come first, each with its distance
    html = response.content.decode()
    assert response.status_code == 200
    heading = html.index("Nearest to your position (near Hamburg)")
    order = [html.index(f"Rally in {name}", heading) for name in ("Hamburg", "Berlin", "Paris")]
    assert order == sorted(order)
    assert "0.0 km" in html  # Hamburg itself
    assert "255 km" in html  # Berlin, 255 km from Hamburg


def test_a_precise_position_is_rounded_to_about_a_kilometre(client, day):
    response = client.get(f"/en/c/{day.slug}/", {"near": "53.551234,9.993456"})

    assert response.context["position"] == (53.55, 9.99)


@pytest.mark.parametrize("near", ["91,10", "10,181", "nan,nan", "Hamburg", "1,2,3", "inf,0"])
def test_an_unreadable_position_is_a_400_with_a_notice(client, day, near):
    response = client.get(f"/en/c/{day.slug}/", {"near": near})

    assert response.status_code == 400
    assert "This position could not be read" in response.content.decode()


def test_persian_distances_use_persian_digits(client, day):
    html = client.get(f"/fa/c/{day.slug}/", {"near": "52.52,13.40"}).content.decode()

    assert "۲۵۵" in html  # Hamburg from Berlin


def test_tally_fragment_is_the_tally_the_page_shows_and_revalidates(client, day):
    page = client.get(f"/en/c/{day.slug}/").content.decode()
    fragment = client.get(f"/en/c/{day.slug}/tally/")

    assert fragment.status_code == 200
    assert "0 of 10 streets taken" in fragment.content.decode()
    assert fragment.content.decode() in page
    assert (
        client.get(f"/en/c/{day.slug}/tally/", HTTP_IF_NONE_MATCH=fragment["ETag"]).status_code
        == 304
    )


def test_a_cached_tally_fragment_costs_no_query(client, day, django_assert_num_queries):
    client.get(f"/en/c/{day.slug}/tally/")

    with django_assert_num_queries(0):
        client.get(f"/en/c/{day.slug}/tally/")


def test_tally_fragment_follows_new_rsvps_once_its_cache_expires(client, day):
    before = client.get(f"/en/c/{day.slug}/tally/")
    services.create_rsvp(
        day.actions.filter(status="published").first(), language="en", consent=True
    )
    cache.clear()  # what 15 seconds do

    after = client.get(f"/en/c/{day.slug}/tally/", HTTP_IF_NONE_MATCH=before["ETag"])

    assert after.status_code == 200 and "1 person going" in after.content.decode()


def read_and_age_the_tally(client, day) -> tuple[str, str]:
    """Read the English tally fragment, then make its cached copy as old as the refresh age."""
    url = f"/en/c/{day.slug}/tally/"
    client.get(url)
    key = live_key("tally", day.slug, "en")
    document, built_at = cache.get(key)
    cache.set(key, (document, built_at - LIVE_REFRESH_AGE), 300)
    return url, key


def test_an_old_tally_fragment_is_served_once_more_while_the_worker_rebuilds_it(client, day):
    # given a fragment older than its refresh age, and a new RSVP since
    url, _key = read_and_age_the_tally(client, day)
    services.create_rsvp(
        day.actions.filter(status="published").first(), language="en", consent=True
    )

    # then the reader who finds it old still gets it, and asks the worker (eager in tests)
    assert "1 person going" not in client.get(url).content.decode()
    # and the next reader gets the worker's copy
    assert "1 person going" in client.get(url).content.decode()


def test_a_campaign_taken_back_to_draft_drops_its_cached_documents(client, day):
    url, key = read_and_age_the_tally(client, day)
    day.status = Campaign.Status.DRAFT
    day.save(update_fields=["status"])

    client.get(url)  # the worker finds the campaign gone

    assert cache.get(key) is None
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("page", ["", "map/", "wave/"])
@pytest.mark.parametrize("language", ["en", "fa"])
def test_campaign_pages_have_no_inline_script_or_style_and_no_other_origin(
    client, day, page, language
):
    html = client.get(f"/{language}/c/{day.slug}/{page}").content.decode()

    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert not re.search(r"<style\b|\sstyle=", html)
    assert not re.search(r'(src|href)="(https?:)?//', html)


def test_a_search_longer_than_the_field_allows_is_a_400_with_the_reason(client, day):
    response = client.get(f"/en/c/{day.slug}/", {"q": "x" * 101})

    assert response.status_code == 400
    assert "at most 100 characters" in response.content.decode()
