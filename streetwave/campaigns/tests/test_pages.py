import pytest
from django.core.cache import cache

from streetwave.actions import services
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
    assert "3 of 10 streets" in html
    assert "3 cities" in html and "2 countries" in html and "3 hubs" in html
    assert "Rally in Hamburg" in html and "Draft plan" not in html
    assert 'type="text/calendar"' in html


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
    with django_assert_num_queries(2) as captured:
        from streetwave.campaigns.tally import get_tally

        assert get_tally(day)["going"] == 1
    assert not any("actions_rsvp" in q["sql"] for q in captured.captured_queries)
