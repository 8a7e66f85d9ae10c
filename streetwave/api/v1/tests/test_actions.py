import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from streetwave.actions.models import Action
from streetwave.hubs.models import Hub
from streetwave.hubs.services import create_hub
from streetwave.places.search import distance_km


def _all_pages(client, params: dict) -> list[dict]:
    items, cursor = [], None
    while True:
        page = client.get("/api/v1/actions", {**params, **({"cursor": cursor} if cursor else {})})
        assert page.status_code == 200, page.content
        body = page.json()
        items += body["items"]
        cursor = body["next"]
        if cursor is None:
            return items


def test_detail_has_the_public_fields_in_the_actions_time_zone(client, hub, make_action):
    # given an action in Paris at 12:00 UTC on a summer day (UTC+2 there)
    starts = dt.datetime(2031, 6, 14, 12, 0, tzinfo=dt.UTC)
    action = make_action(hub, starts_at=starts, capacity=50, description="Bring **water**.")

    # when
    response = client.get(f"/api/v1/actions/{action.public_id}")

    # then
    assert response.status_code == 200
    assert response.json() == {
        "id": action.public_id,
        "title": "Rally of Paris Hub",
        "description": "Bring **water**.",
        "description_html": "<p>Bring <strong>water</strong>.</p>\n",
        "kind": "rally",
        "status": "published",
        "starts_at": "2031-06-14T14:00:00+02:00",
        "ends_at": "2031-06-14T16:00:00+02:00",
        "day": None,
        "time_zone": "Europe/Paris",
        "place": "Main square",
        "latitude": 48.8566,
        "longitude": 2.3522,
        "city": {
            "geonameid": hub.city.geonameid,
            "name": "Paris",
            "name_fa": "پاریس",
            "country": {"code": "FR", "name": "Country FR", "name_fa": "کشور FR"},
        },
        "hub": {"id": hub.public_id, "name": "Paris Hub"},
        "campaign": "streets",
        "phase": "upcoming",
        "url": f"{settings.SITE_URL}/a/{action.public_id}/",
        "capacity": 50,
        "is_full": False,
        "going": None,
    }


def test_description_html_is_sanitized(client, hub, make_action):
    action = make_action(hub, description="<script>alert(1)</script>[x](javascript:alert(1))")

    html = client.get(f"/api/v1/actions/{action.public_id}").json()["description_html"]

    assert "<script" not in html
    assert 'href="javascript' not in html


@pytest.mark.parametrize(("going_count", "shown"), [(0, None), (9, None), (17, 10), (263, 250)])
def test_going_is_hidden_under_the_threshold_and_rounded_above(
    client, hub, make_action, going_count, shown
):
    action = make_action(hub, going_count=going_count)

    body = client.get(f"/api/v1/actions/{action.public_id}").json()

    assert body["going"] == shown


def test_a_full_action_says_so(client, hub, make_action):
    action = make_action(hub, capacity=12, going_count=12)

    assert client.get(f"/api/v1/actions/{action.public_id}").json()["is_full"] is True


def test_a_small_full_action_does_not_tell_how_many_are_going(client, hub, make_action):
    # given three places, all taken: "full" would say exactly three are going (under 10)
    action = make_action(hub, capacity=3, going_count=3)

    body = client.get(f"/api/v1/actions/{action.public_id}").json()

    assert (body["is_full"], body["going"]) == (False, None)


def test_a_draft_action_is_as_missing_as_an_unknown_one(client, hub, make_action):
    draft = make_action(hub, status=Action.Status.DRAFT)

    hidden = client.get(f"/api/v1/actions/{draft.public_id}")
    unknown = client.get("/api/v1/actions/aaaaaaaaaaaaaaaa")

    assert hidden.status_code == unknown.status_code == 404
    assert hidden.content == unknown.content
    assert hidden.json() == {
        "error": {
            "code": "not_found",
            "message": "Nothing was found at this address.",
            "fields": {},
        }
    }


def test_list_shows_public_actions_by_start_time(client, hub, make_action):
    later = make_action(hub, days=9)
    sooner = make_action(hub, days=2)
    cancelled = make_action(hub, days=5, status=Action.Status.CANCELLED)
    make_action(hub, days=1, status=Action.Status.DRAFT)

    body = client.get("/api/v1/actions").json()

    assert [item["id"] for item in body["items"]] == [
        sooner.public_id,
        cancelled.public_id,
        later.public_id,
    ]
    assert body["next"] is None
    assert body["items"][0]["distance_km"] is None
    assert "description" not in body["items"][0]


def test_list_filters_by_campaign_country_and_city(client, campaign, hub, berlin, make_action):
    in_paris = make_action(hub)
    berlin_hub = create_hub(
        name="Berlin Hub", city=berlin, languages=["de"], status=Hub.Status.ACTIVE
    )
    in_berlin = make_action(berlin_hub)
    outside_campaign = make_action(hub, campaign=None)

    def ids(**params):
        return {item["id"] for item in client.get("/api/v1/actions", params).json()["items"]}

    assert ids(campaign="streets") == {in_paris.public_id, in_berlin.public_id}
    assert ids(campaign="no-such-campaign") == set()
    assert ids(country="de") == {in_berlin.public_id}
    assert ids(country="FR") == {in_paris.public_id, outside_campaign.public_id}
    assert ids(city=berlin.geonameid) == {in_berlin.public_id}
    assert ids(city=berlin.geonameid, country="FR") == set()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"country": "FRA"}, "country"),
        ({"city": "Paris"}, "city"),
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"near": "48.8"}, "near"),
        ({"near": "91,2"}, "near"),
        ({"near": "nan,2"}, "near"),
        # What float() would take but the schema's pattern does not: the API takes the pattern.
        ({"near": "4.8e1,2"}, "near"),
        ({"near": " 48.8,2"}, "near"),
        ({"near": ""}, "near"),
        ({"city": 2**31}, "city"),
        ({"campaign": "no slug"}, "campaign"),
        ({"cursor": "not-a-cursor"}, "cursor"),
    ],
)
def test_bad_list_parameters_are_a_400_on_that_field(client, db, params, field):
    response = client.get("/api/v1/actions", params)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert list(error["fields"]) == [field]


def test_cursor_pagination_has_no_duplicates_and_no_gaps(client, hub, make_action):
    # given actions, several of which start at the very same time
    same_time = timezone.now() + dt.timedelta(days=3)
    created = [make_action(hub, starts_at=same_time) for _ in range(5)]
    created += [make_action(hub, days=days) for days in (1, 2, 8, 9)]

    # when every page of three is fetched
    items = _all_pages(client, {"limit": 3})

    # then every action comes exactly once, in (start, id) order
    ids = [item["id"] for item in items]
    assert len(ids) == len(set(ids)) == len(created)
    expected = sorted(created, key=lambda a: (a.starts_at, a.public_id))
    assert ids == [a.public_id for a in expected]


def test_an_action_added_while_paging_causes_no_duplicate(client, hub, make_action):
    for days in (1, 2, 3, 4):
        make_action(hub, days=days)
    first = client.get("/api/v1/actions", {"limit": 2}).json()

    # an action published meanwhile, earlier than the cursor, does not shift the next page
    make_action(hub, days=0.5)
    second = client.get("/api/v1/actions", {"limit": 2, "cursor": first["next"]}).json()

    seen = [item["id"] for item in first["items"] + second["items"]]
    assert len(seen) == len(set(seen)) == 4


def test_a_cursor_of_another_listing_is_refused(client, hub, make_action):
    create_hub(name="Another Hub", city=hub.city, languages=[], status=Hub.Status.ACTIVE)
    hubs_cursor = client.get("/api/v1/hubs", {"limit": 1}).json()["next"]

    response = client.get("/api/v1/actions", {"cursor": hubs_cursor})

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["cursor"]


def test_near_sorts_by_distance_and_pages(
    client, hub, paris, berlin, toronto, make_action, make_city
):
    # given actions in Toronto, Berlin, two at the same spot in Paris, and one near Lyon
    lyon = make_city("Lyon", country="FR", timezone="Europe/Paris", lat=45.764, lon=4.8357)
    actions = [
        make_action(hub, city=toronto, latitude=toronto.latitude, longitude=toronto.longitude),
        make_action(hub, city=berlin, latitude=berlin.latitude, longitude=berlin.longitude),
        make_action(hub, city=lyon, latitude=lyon.latitude, longitude=lyon.longitude),
        make_action(hub),
        make_action(hub),
    ]
    here = (48.86, 2.35)

    # when the reader near Paris pages through two at a time
    items = _all_pages(client, {"near": f"{here[0]},{here[1]}", "limit": 2})

    # then the nearest come first, each once, with the distance the gazetteer computes
    expected = sorted(
        actions,
        key=lambda a: (distance_km(*here, a.latitude, a.longitude), a.public_id),
    )
    assert [item["id"] for item in items] == [a.public_id for a in expected]
    for item, action in zip(items, expected, strict=True):
        assert item["distance_km"] == pytest.approx(
            distance_km(*here, action.latitude, action.longitude), abs=0.051
        )
    assert [item["city"]["name"] for item in items] == [
        "Paris",
        "Paris",
        "Lyon",
        "Berlin",
        "Toronto",
    ]


def test_near_works_across_the_antimeridian(client, hub, make_action, make_city):
    fiji = make_city("Suva", country="FJ", timezone="Pacific/Fiji", lat=-18.1416, lon=178.4419)
    samoa = make_city("Apia", country="WS", timezone="Pacific/Apia", lat=-13.8333, lon=-171.7667)
    to_samoa = make_action(hub, city=samoa, latitude=samoa.latitude, longitude=samoa.longitude)
    to_fiji = make_action(hub, city=fiji, latitude=fiji.latitude, longitude=fiji.longitude)
    make_action(hub)

    items = client.get("/api/v1/actions", {"near": "-16,-179.9"}).json()["items"]

    assert [item["id"] for item in items[:2]] == [to_fiji.public_id, to_samoa.public_id]
    assert items[0]["distance_km"] < 500


@pytest.mark.parametrize("near", [None, "48.86,2.35"])
def test_the_list_is_one_query_whatever_the_page_size(
    client, campaign, paris, berlin, make_action, near, django_assert_max_num_queries
):
    # given actions of several hubs in several cities and countries
    for number in range(12):
        city = paris if number % 2 else berlin
        other = create_hub(name=f"Hub {number}", city=city, languages=[], status=Hub.Status.ACTIVE)
        make_action(other, days=number + 1)
    near_param = {"near": near} if near else {}

    # when pages of any size are fetched, first or later, then each takes a single query
    with django_assert_max_num_queries(1):
        small = client.get("/api/v1/actions", {"limit": 2, **near_param}).json()
    with django_assert_max_num_queries(1):
        large = client.get("/api/v1/actions", {"limit": 100, **near_param}).json()
    with django_assert_max_num_queries(1):
        later = client.get("/api/v1/actions", {"limit": 2, "cursor": small["next"], **near_param})
    assert (len(small["items"]), len(large["items"]), len(later.json()["items"])) == (2, 12, 2)


@pytest.fixture
def three_phases(hub, make_action) -> dict[str, Action]:
    """An action that ended yesterday, one happening now, one tomorrow (published, all)."""
    return {
        "ended": make_action(hub, days=-1),
        "now": make_action(hub, days=-1 / 24),
        "upcoming": make_action(hub, days=1),
    }


def test_each_item_says_its_phase(client, three_phases):
    items = client.get("/api/v1/actions").json()["items"]

    assert {item["id"]: item["phase"] for item in items} == {
        action.public_id: phase for phase, action in three_phases.items()
    }


@pytest.mark.parametrize(
    ("params", "phases"),
    [
        ({"phase": "upcoming"}, {"upcoming"}),
        ({"phase": "now"}, {"now"}),
        ({"phase": "ended"}, {"ended"}),
        ({"phase": "upcoming,now"}, {"upcoming", "now"}),
        ({"phase": ["upcoming", "now"]}, {"upcoming", "now"}),
        ({"phase": ["ended", "ended"]}, {"ended"}),
        ({}, {"upcoming", "now", "ended"}),
    ],
)
def test_phase_filters_the_list(client, three_phases, params, phases):
    items = client.get("/api/v1/actions", params).json()["items"]

    assert {item["id"] for item in items} == {three_phases[phase].public_id for phase in phases}


@pytest.mark.parametrize("phase", ["soon", "upcoming,later", "UPCOMING"])
def test_an_unknown_phase_is_a_400_on_phase(client, db, phase):
    response = client.get("/api/v1/actions", {"phase": phase})

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["phase"]


def test_the_cursor_pages_through_a_phase_filter(client, hub, make_action):
    # given ended actions before and between the upcoming ones in the order of start
    make_action(hub, days=-3)
    upcoming = [make_action(hub, days=days) for days in (1, 2, 3, 4, 5)]
    make_action(hub, days=-1)

    # when what is still ahead is fetched two at a time
    items = _all_pages(client, {"phase": "upcoming", "limit": 2})

    # then each upcoming action comes once, in order, and no ended one
    assert [item["id"] for item in items] == [a.public_id for a in upcoming]


@pytest.mark.parametrize("near", [None, "48.86,2.35"])
def test_a_phase_filtered_page_is_still_one_query(
    client, hub, make_action, near, django_assert_max_num_queries
):
    for days in (-2, -1, 1, 2, 3):
        make_action(hub, days=days)
    params = {"phase": "upcoming,now", "limit": 2, **({"near": near} if near else {})}

    with django_assert_max_num_queries(1):
        first = client.get("/api/v1/actions", params).json()
    with django_assert_max_num_queries(1):
        second = client.get("/api/v1/actions", {**params, "cursor": first["next"]}).json()

    assert (len(first["items"]), len(second["items"])) == (2, 1)


def test_the_page_url_leads_to_the_page_in_the_readers_language(client, action):
    # given the url of an item, which carries no language
    url = client.get("/api/v1/actions").json()["items"][0]["url"]
    assert url == f"{settings.SITE_URL}/a/{action.public_id}/"

    # when a Persian reader opens it
    path = url.removeprefix(settings.SITE_URL)
    response = client.get(path, headers={"accept-language": "fa"}, follow=True)

    # then they land on the action's page in Persian
    assert response.redirect_chain[-1][0] == f"/fa/a/{action.public_id}/"
    assert response.status_code == 200
