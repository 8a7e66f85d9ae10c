"""Hubs in high-risk countries show no people: hidden from every public list and page and from
the API, seen by coordinators as a count only (docs/privacy.md, "High-risk countries")."""

import pytest

from streetwave.hubs.models import Membership
from streetwave.places.models import Country

pytestmark = pytest.mark.django_db


@pytest.fixture
def tehran(make_city):
    return make_city("Tehran", country="IR", timezone="Asia/Tehran", lat=35.69, lon=51.39)


@pytest.fixture
def inside(make_hub, tehran):
    """A hub in Tehran, Iran being high-risk for the whole instance."""
    hub = make_hub("Tehran hub", city=tehran)
    Country.objects.filter(code="IR").update(high_risk=True)
    return hub


def test_a_high_risk_hubs_public_page_is_the_404_of_a_missing_hub(client, inside):
    unknown = "aaaaaaaaaaaaaaaa"
    hidden = client.get(f"/en/h/{inside.public_id}/")
    missing = client.get(f"/en/h/{unknown}/")

    assert hidden.status_code == missing.status_code == 404
    # The same page but for the address it was asked at (its language links carry it).
    assert hidden.content.decode().replace(inside.public_id, unknown) == missing.content.decode()
    assert client.get(f"/en/h/{inside.public_id}/calendar.ics").status_code == 404


def test_a_hub_high_risk_for_one_campaign_only_is_hidden_too(client, make_hub, tehran, campaign):
    hub = make_hub("Tehran hub", city=tehran)
    campaign.high_risk_countries.add(Country.objects.get(code="IR"))

    assert client.get(f"/en/h/{hub.public_id}/").status_code == 404


def test_no_public_page_links_a_high_risk_hub_to_its_sponsor_or_sponsored(client, make_hub, inside):
    # Given a hub abroad that vouched for the Tehran hub, and one the Tehran hub vouched for.
    abroad = make_hub("Berlin hub")
    inside.sponsor = abroad
    inside.save(update_fields=["sponsor"])
    sponsored = make_hub("Hamburg hub", sponsor=inside)

    # Then neither page names or links the Tehran hub.
    for hub in (abroad, sponsored):
        html = client.get(f"/en/h/{hub.public_id}/").content.decode()
        assert "Tehran" not in html and inside.public_id not in html
    assert "Sponsored by" not in client.get(f"/en/h/{sponsored.public_id}/").content.decode()


def test_the_api_lists_and_shows_no_high_risk_hub(client, make_hub, inside):
    abroad = make_hub("Berlin hub")
    inside.sponsor = abroad
    inside.save(update_fields=["sponsor"])
    sponsored = make_hub("Hamburg hub", sponsor=inside)

    listed = client.get("/api/v1/hubs", {"limit": 100}).json()["items"]
    hidden = client.get(f"/api/v1/hubs/{inside.public_id}")
    missing = client.get("/api/v1/hubs/aaaaaaaaaaaaaaaa")

    assert sorted(item["name"] for item in listed) == ["Berlin hub", "Hamburg hub"]
    assert next(item for item in listed if item["name"] == "Hamburg hub")["sponsor"] is None
    assert (hidden.status_code, hidden.json()) == (missing.status_code, missing.json())
    assert client.get(f"/api/v1/hubs/{abroad.public_id}").json()["sponsored"] == []
    assert client.get(f"/api/v1/hubs/{sponsored.public_id}").json()["sponsor"] is None


def test_the_api_list_stays_one_query_with_the_sponsor_check(
    client, make_hub, inside, django_assert_max_num_queries
):
    for number in range(5):
        make_hub(f"Hub {number}", sponsor=inside if number % 2 else None)

    with django_assert_max_num_queries(1):
        assert len(client.get("/api/v1/hubs", {"limit": 100}).json()["items"]) == 5


def test_its_own_members_still_reach_their_hub(client, login, make_member, inside):
    member = make_member(inside, Membership.Role.LEAD)
    login(client, member)

    response = client.get(f"/en/manage/hubs/{inside.public_id}/")

    assert response.status_code == 200
    assert "Tehran hub" in response.content.decode()
    # The link to a public page that does not exist is not offered.
    assert f'href="/en/h/{inside.public_id}/"' not in response.content.decode()
