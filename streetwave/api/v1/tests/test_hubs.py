from streetwave.hubs.models import Hub
from streetwave.hubs.services import create_hub


def _hub(name: str, city, *, sponsor=None, status=Hub.Status.ACTIVE) -> Hub:
    return create_hub(name=name, city=city, languages=["fa"], sponsor=sponsor, status=status)


def test_list_shows_active_hubs_by_name_page_by_page(client, paris, berlin):
    # given five active hubs and two that are not public
    for name in ("Delta", "Alpha", "Echo", "Charlie", "Bravo"):
        _hub(name, paris)
    _hub("Proposed", berlin, status=Hub.Status.PROPOSED)
    _hub("Suspended", berlin, status=Hub.Status.SUSPENDED)

    # when two pages of three are fetched
    first = client.get("/api/v1/hubs", {"limit": 3}).json()
    second = client.get("/api/v1/hubs", {"limit": 3, "cursor": first["next"]}).json()

    # then
    names = [item["name"] for item in first["items"] + second["items"]]
    assert names == ["Alpha", "Bravo", "Charlie", "Delta", "Echo"]
    assert second["next"] is None


def test_the_list_is_one_query(client, paris, berlin, django_assert_max_num_queries):
    root = _hub("Root", paris)
    for number in range(10):
        _hub(f"Hub {number}", berlin if number % 2 else paris, sponsor=root)

    with django_assert_max_num_queries(1):
        response = client.get("/api/v1/hubs", {"limit": 100})

    assert len(response.json()["items"]) == 11


def test_detail_names_the_sponsor_and_the_active_sponsored_hubs(client, paris, berlin):
    root = _hub("Root", paris)
    hub = _hub("Paris Hub", paris, sponsor=root)
    child_b = _hub("B child", berlin, sponsor=hub)
    child_a = _hub("A child", berlin, sponsor=hub)
    _hub("Proposed child", berlin, sponsor=hub, status=Hub.Status.PROPOSED)

    response = client.get(f"/api/v1/hubs/{hub.public_id}")

    assert response.status_code == 200
    assert response.json() == {
        "id": hub.public_id,
        "name": "Paris Hub",
        "city": {
            "geonameid": paris.geonameid,
            "name": "Paris",
            "name_fa": "پاریس",
            "country": {"code": "FR", "name": "Country FR", "name_fa": "کشور FR"},
        },
        "languages": ["fa"],
        "sponsor": root.public_id,
        "sponsored": [child_a.public_id, child_b.public_id],
    }


def test_a_sponsor_that_is_not_active_is_not_named(client, paris):
    suspended = _hub("Suspended", paris)
    hub = _hub("Paris Hub", paris, sponsor=suspended)
    Hub.objects.filter(pk=suspended.pk).update(status=Hub.Status.SUSPENDED)

    detail = client.get(f"/api/v1/hubs/{hub.public_id}").json()
    listed = client.get("/api/v1/hubs").json()["items"]

    assert detail["sponsor"] is None
    assert [item["sponsor"] for item in listed] == [None]


def test_a_hub_that_is_not_active_is_as_missing_as_an_unknown_one(client, paris):
    proposed = _hub("Proposed", paris, status=Hub.Status.PROPOSED)

    hidden = client.get(f"/api/v1/hubs/{proposed.public_id}")
    unknown = client.get("/api/v1/hubs/aaaaaaaaaaaaaaaa")

    assert hidden.status_code == unknown.status_code == 404
    assert hidden.content == unknown.content
