"""Every error, whoever raises it, comes in the one envelope."""

import pytest

from streetwave.api.v1 import campaigns as campaigns_api


def assert_envelope(response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert set(error) == {"code", "message", "fields"}
    assert error["code"] == code
    assert error["message"]
    return error


@pytest.mark.parametrize(
    "path", ["/api/v1/", "/api/v1/no-such-thing", "/api/v1/actions/", "/api/v1/hubs/x/y"]
)
def test_unknown_addresses_are_a_json_404(client, db, path):
    assert_envelope(client.get(path), 404, "not_found")


@pytest.mark.parametrize(
    ("path", "field"),
    [
        # A control character once reached the tally's cache key, and the cache refused it: a 500.
        ("/api/v1/campaigns/%07%13/tally", "slug"),
        ("/api/v1/campaigns/" + "s" * 81, "slug"),
        ("/api/v1/actions/NOT-A-PUBLIC-ID", "action_id"),
        ("/api/v1/hubs/" + "a" * 17, "hub_id"),
        ("/api/v1/report-backs/0000000000000000", "action_id"),
    ],
)
def test_a_path_parameter_that_can_name_nothing_is_a_400_before_any_lookup(
    client, db, path, field, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = client.get(path)

    error = assert_envelope(response, 400, "invalid")
    assert list(error["fields"]) == [field]


def test_a_wrong_method_is_a_405_that_names_the_allowed_ones(client, db):
    response = client.delete("/api/v1/campaigns")

    assert_envelope(response, 405, "method_not_allowed")
    assert response["Allow"] == "GET"


def test_ninjas_validation_errors_become_a_400_in_the_readers_language(client, db):
    response = client.get("/api/v1/hubs", {"limit": "many"}, headers={"accept-language": "fa"})

    error = assert_envelope(response, 400, "invalid")
    assert error["fields"] == {"limit": ["به طور کامل یک عدد وارد کنید."]}


def test_the_language_follows_accept_language_without_a_url_prefix(client, db):
    response = client.get("/api/v1/hubs", {"limit": 500}, headers={"accept-language": "de"})

    error = assert_envelope(response, 400, "invalid")
    assert error["fields"] == {"limit": ["Dieser Wert muss kleiner oder gleich 100 sein."]}
    assert "Accept-Language" in response["Vary"]


def test_an_unexpected_error_is_a_500_that_tells_nothing_of_the_inside(
    client, campaign, monkeypatch
):
    def broken_tally(slug):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(campaigns_api, "get_public_tally", broken_tally)

    response = client.get("/api/v1/campaigns/streets/tally")

    assert_envelope(response, 500, "server_error")
    assert b"secret internals" not in response.content
