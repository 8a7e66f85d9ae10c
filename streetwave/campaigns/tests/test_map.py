import datetime as dt
import gzip
import json

import pytest
from django.core.cache import cache

from streetwave.actions import services
from streetwave.campaigns.live import live_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def day(make_campaign, make_city, make_hub, make_action):
    campaign = make_campaign()
    berlin = make_city("Berlin", name_fa="برلین")
    hub = make_hub("Berlin hub", city=berlin)
    rally = make_action(
        hub=hub, campaign=campaign, title="Rally in Berlin", latitude=52.521912, longitude=13.413188
    )
    make_action(hub=hub, campaign=campaign, title="Vigil in Berlin", status="cancelled")
    make_action(hub=hub, campaign=campaign, title="Draft plan", status="draft")
    services.create_rsvp(rally, language="en", consent=True)
    cache.clear()
    return campaign


def test_map_data_is_geojson_of_the_public_actions_in_the_readers_language(client, day):
    response = client.get(f"/fa/c/{day.slug}/map.json")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    collection = json.loads(response.content)
    assert collection["type"] == "FeatureCollection"
    by_title = {feature["properties"]["title"]: feature for feature in collection["features"]}
    assert set(by_title) == {"Rally in Berlin", "Vigil in Berlin"}
    rally = by_title["Rally in Berlin"]
    # GeoJSON order (longitude, latitude), to about 11 m
    assert rally["geometry"] == {"type": "Point", "coordinates": [13.4132, 52.5219]}
    assert rally["properties"]["city"] == "برلین"
    assert rally["properties"]["url"] == f"/fa/a/{rally['id']}/"
    assert rally["properties"]["status"] == "published"
    # Persian readers get the Jalali date and Persian digits in the popup's time.
    assert "(UTC+۰" in rally["properties"]["time"]
    assert by_title["Vigil in Berlin"]["properties"]["status"] == "cancelled"


def test_map_data_is_built_from_action_rows_without_touching_rsvps(
    client, day, django_assert_num_queries
):
    # the campaign, when its next action starts or ends, when the next action reported from
    # inside a high-risk country becomes public, its cities, its actions
    with django_assert_num_queries(5) as captured:
        client.get(f"/en/c/{day.slug}/map.json")

    assert not any("actions_rsvp" in query["sql"] for query in captured.captured_queries)


def test_a_cached_map_costs_no_query(client, day, django_assert_num_queries):
    client.get(f"/en/c/{day.slug}/map.json")

    with django_assert_num_queries(0):
        assert client.get(f"/en/c/{day.slug}/map.json").status_code == 200


def test_the_cache_is_per_language(client, day):
    english = json.loads(client.get(f"/en/c/{day.slug}/map.json").content)
    persian = json.loads(client.get(f"/fa/c/{day.slug}/map.json").content)

    assert english["features"][0]["properties"]["city"] == "Berlin"
    assert persian["features"][0]["properties"]["city"] == "برلین"


def test_unchanged_map_data_is_a_304_by_etag_or_by_date(client, day):
    url = f"/en/c/{day.slug}/map.json"
    first = client.get(url)

    by_etag = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    by_date = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])

    assert by_etag.status_code == 304 and by_etag.content == b""
    assert by_etag["ETag"] == first["ETag"]
    assert by_date.status_code == 304
    assert first["Cache-Control"] == "public, no-cache"


def test_map_data_is_compressed_once_and_served_as_stored(client, day):
    # given the map data as a browser gets it
    url = f"/en/c/{day.slug}/map.json"
    first = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")

    # then it is the compressed copy of the cache, not compressed again by the request
    document, _built_at = cache.get(live_key("map", day.slug, "en"))
    assert first["Content-Encoding"] == "gzip"
    assert first.content == document.compressed
    assert json.loads(gzip.decompress(first.content))["type"] == "FeatureCollection"
    assert "Accept-Encoding" in first["Vary"]

    # and a client without gzip gets the same document, plain, under the same ETag
    plain = client.get(url)
    assert not plain.has_header("Content-Encoding")
    assert plain.content == gzip.decompress(first.content)
    assert plain["ETag"] == first["ETag"]

    # and either revalidates with that ETag: nothing travels
    again = client.get(url, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""


def test_changed_map_data_gets_a_new_etag_but_the_same_data_keeps_its_date(client, day):
    url = f"/en/c/{day.slug}/map.json"
    first = client.get(url)
    cache.delete(live_key("map", day.slug, "en"))

    rebuilt = client.get(url)
    assert rebuilt["ETag"] == first["ETag"]
    assert rebuilt["Last-Modified"] == first["Last-Modified"]

    day.actions.filter(title="Rally in Berlin").update(title="March in Berlin")
    cache.delete(live_key("map", day.slug, "en"))
    changed = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
    assert b"March in Berlin" in changed.content


def test_map_data_of_a_draft_or_unknown_campaign_is_a_404(client, make_campaign):
    draft = make_campaign(slug="secret", status="draft")

    assert client.get(f"/en/c/{draft.slug}/map.json").status_code == 404
    assert client.get("/en/c/nothing-here/map.json").status_code == 404


def test_map_page_has_the_map_and_the_same_actions_as_a_list(client, day):
    html = client.get(f"/en/c/{day.slug}/map/").content.decode()

    assert f'data-map-src="/en/c/{day.slug}/map.json"' in html
    assert "countries-110m.json" in html and "leaflet.js" in html
    # the list stands in for the map country by country, each country's actions on its page
    assert f'href="/en/c/{day.slug}/places/de/"' in html
    listed = client.get(f"/en/c/{day.slug}/places/de/").content.decode()
    assert "Rally in Berlin" in listed and "Vigil in Berlin" in listed
    assert "Draft plan" not in listed


def test_each_feature_says_its_phase_and_its_times_in_utc(
    client, make_campaign, make_hub, make_action
):
    # given an action that ended yesterday, one happening now and one tomorrow
    campaign = make_campaign()
    hub = make_hub()
    actions = {
        "ended": make_action(hub=hub, campaign=campaign, starts_in=dt.timedelta(days=-1)),
        "now": make_action(hub=hub, campaign=campaign, starts_in=dt.timedelta(hours=-1)),
        "upcoming": make_action(hub=hub, campaign=campaign, starts_in=dt.timedelta(days=1)),
    }
    cache.clear()

    # when the map data is read
    features = json.loads(client.get(f"/fa/c/{campaign.slug}/map.json").content)["features"]

    # then each feature carries its phase, and its start and end in UTC for the page to judge
    by_id = {feature["id"]: feature["properties"] for feature in features}
    for phase, action in actions.items():
        properties = by_id[action.public_id]
        assert properties["phase"] == phase
        assert dt.datetime.fromisoformat(properties["starts"]) == action.starts_at
        assert dt.datetime.fromisoformat(properties["ends"]) == action.ends_at
        assert properties["starts"].endswith("+00:00")
