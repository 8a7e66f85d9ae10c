"""Report-backs in the API: verified ones only, their public part only (nobody's account), paged
by cursor in a fixed number of queries."""

import datetime as dt

import pytest

from streetwave.reportbacks import services

pytestmark = pytest.mark.django_db


def _verified(world, file_report, **changes):
    return services.verify_report_back(file_report(**changes), actor=world.lead)


def test_an_actions_report_is_public_once_verified(client, world, file_report):
    url = f"/api/v1/report-backs/{world.action.public_id}"
    report_back = file_report(turnout_is_estimate=True)
    assert client.get(url).status_code == 404
    services.verify_report_back(report_back, actor=world.lead)
    body = client.get(url).json()
    assert body["id"] == report_back.public_id
    assert body["action"] == world.action.public_id
    assert (body["took_place"], body["turnout"], body["turnout_is_estimate"]) == (True, 300, True)
    assert body["story_html"] == "<p>We filled <strong>the square</strong>.</p>\n"
    # and nothing about who filed or verified it
    text = str(body)
    for user in (world.organizer, world.lead):
        assert user.email not in text and user.public_id not in text
    assert not {"requested_by", "approved_by"} & set(body)


def test_the_wall_pages_verified_report_backs_newest_first(
    client, world, file_report, make_action, campaign, django_assert_max_num_queries
):
    made = [_verified(world, file_report)]
    for number in range(2):
        action = make_action(
            hub=world.hub,
            campaign=campaign,
            title=f"Vigil {number}",
            starts_in=-dt.timedelta(hours=3),
        )
        made.append(_verified(world, file_report, action=action))
    file_report(
        action=make_action(hub=world.hub, campaign=campaign, starts_in=-dt.timedelta(hours=3))
    )
    with django_assert_max_num_queries(3):
        first = client.get("/api/v1/report-backs", {"campaign": campaign.slug, "limit": 2}).json()
    second = client.get(
        "/api/v1/report-backs", {"campaign": campaign.slug, "limit": 2, "cursor": first["next"]}
    ).json()
    ids = [item["id"] for item in first["items"] + second["items"]]
    assert ids == [row.public_id for row in reversed(made)]
    assert second["next"] is None


def test_the_wall_of_an_unknown_campaign_is_a_404(client, db):
    assert client.get("/api/v1/report-backs", {"campaign": "nothing"}).status_code == 404


def test_the_tally_says_streets_taken_and_turnout(client, world, file_report, campaign):
    _verified(world, file_report, turnout=120)
    tally = client.get(f"/api/v1/campaigns/{campaign.slug}/tally").json()
    assert (tally["streets_taken"], tally["turnout"]) == (1, 120)
