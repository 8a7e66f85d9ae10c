import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from streetwave.campaigns.models import Campaign
from streetwave.campaigns.services import create_campaign


def _campaign(slug: str, status: str, *, days_ago: int) -> Campaign:
    start = timezone.now() - dt.timedelta(days=days_ago)
    return create_campaign(
        slug=slug,
        texts={"en": {"title": slug.title()}},
        languages=["en"],
        starts_at=start,
        ends_at=start + dt.timedelta(days=2),
        goal=10,
        status=status,
    )


def test_list_shows_live_and_ended_campaigns_newest_first(client, campaign):
    # given a live, an ended and a draft campaign besides the fixture (started a day ago)
    _campaign("ended-one", Campaign.Status.ENDED, days_ago=30)
    _campaign("secret-draft", Campaign.Status.DRAFT, days_ago=0)
    _campaign("older-live", Campaign.Status.LIVE, days_ago=3)

    # when
    response = client.get("/api/v1/campaigns")

    # then
    assert response.status_code == 200
    body = response.json()
    assert [item["slug"] for item in body["items"]] == ["streets", "older-live", "ended-one"]
    assert body["next"] is None


def test_an_archived_campaign_stays_in_the_list_and_says_so(client, campaign):
    # given an archived campaign and a draft besides the fixture
    _campaign("archived-one", Campaign.Status.ARCHIVED, days_ago=60)
    _campaign("secret-draft", Campaign.Status.DRAFT, days_ago=0)

    # when
    listed = client.get("/api/v1/campaigns").json()["items"]
    detail = client.get("/api/v1/campaigns/archived-one")

    # then the archived one is there with its state, and the draft nowhere
    assert [(item["slug"], item["status"]) for item in listed] == [
        ("streets", "live"),
        ("archived-one", "archived"),
    ]
    assert detail.json()["status"] == "archived"
    assert client.get("/api/v1/campaigns/secret-draft").status_code == 404


def test_list_pages_with_a_cursor(client, campaign):
    for number in range(4):
        _campaign(f"old-{number}", Campaign.Status.ENDED, days_ago=10 + number)

    first = client.get("/api/v1/campaigns", {"limit": 3}).json()
    second = client.get("/api/v1/campaigns", {"limit": 3, "cursor": first["next"]}).json()

    slugs = [item["slug"] for item in first["items"] + second["items"]]
    assert slugs == ["streets", "old-0", "old-1", "old-2", "old-3"]
    assert second["next"] is None


def test_detail_has_texts_in_the_requested_language(client, campaign):
    response = client.get("/api/v1/campaigns/streets", headers={"accept-language": "fa"})

    assert response.status_code == 200
    body = response.json()
    assert body["language"] == "fa"
    assert body["title"] == "به خیابان"
    assert body["statement"] == "بیانیه"
    assert body["demands"] == ["آزادی"]
    assert body["languages"] == ["fa", "en"]
    assert body["status"] == "live"


def test_detail_falls_back_to_the_campaigns_first_language(client, campaign):
    # given a campaign with texts in fa and en only, when a German reader asks
    body = client.get("/api/v1/campaigns/streets", headers={"accept-language": "de"}).json()

    # then the texts come in the campaign's first language, and say so
    assert body["language"] == "fa"
    assert body["title"] == "به خیابان"


def test_a_draft_campaign_is_as_missing_as_an_unknown_one(client, db):
    _campaign("secret-draft", Campaign.Status.DRAFT, days_ago=0)

    draft = client.get("/api/v1/campaigns/secret-draft")
    unknown = client.get("/api/v1/campaigns/no-such-campaign")
    draft_tally = client.get("/api/v1/campaigns/secret-draft/tally")

    assert draft.status_code == unknown.status_code == draft_tally.status_code == 404
    assert draft.content == unknown.content == draft_tally.content
    assert draft.json()["error"]["code"] == "not_found"


def test_tally_counts_public_actions_and_campaign_counters(
    client, campaign, hub, berlin, make_action
):
    # given two published actions in two countries and one draft
    make_action(hub)
    make_action(hub, city=berlin)
    make_action(hub, status="draft")

    # when
    response = client.get("/api/v1/campaigns/streets/tally")

    # then
    assert response.status_code == 200
    body = response.json()
    per_country = body.pop("per_country")
    assert body == {
        "actions": 2,
        "cities": 2,
        "countries": 2,
        "hubs": 1,
        "completed": 0,
        "streets_taken": 0,
        "turnout": 0,
        "going": 0,
        "waitlisted": 0,
        "goal": 100,
        # the campaign's window is open: the goal counts streets taken, none verified yet
        "goal_counts": "streets_taken",
        "goal_percent": 0,
        # and no high-risk country in the campaign: nothing counted inside
        "inside": False,
        "streets_taken_inside": 0,
        "cities_inside": 0,
        "joined_inside": None,
        "per_city_inside": [],
    }
    assert sorted((row["code"], row["actions"], row["streets_taken"]) for row in per_country) == [
        ("DE", 1, 0),
        ("FR", 1, 0),
    ]


def test_tally_never_reads_rsvp_rows_and_is_served_from_the_cache(
    client, campaign, hub, make_action
):
    make_action(hub)

    with CaptureQueriesContext(connection) as first:
        client.get("/api/v1/campaigns/streets/tally")
    make_action(hub)
    with CaptureQueriesContext(connection) as second:
        again = client.get("/api/v1/campaigns/streets/tally")

    assert not [q for q in first.captured_queries if "actions_rsvp" in q["sql"]]
    # the second answer is the cached one: not even the campaign is looked up
    assert second.captured_queries == []
    assert again.json()["actions"] == 1
