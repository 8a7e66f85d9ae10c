"""The tally inside high-risk countries: the streets taken there (filed after the fact, public
once verified a delay ago) and their cities as lines of their own, the people who joined
rounded; every figure abroad leaves them out."""

import datetime as dt

import pytest
from django.utils import timezone

from streetwave.actions.models import Action
from streetwave.approvals.models import Approval
from streetwave.campaigns.models import InsideCount
from streetwave.campaigns.tally import compute_tally
from streetwave.places.models import Country
from streetwave.reportbacks.models import ReportBack

pytestmark = pytest.mark.django_db


@pytest.fixture
def day(campaign, make_city, make_hub, make_action):
    """Abroad: a rally planned in Berlin, a street taken in Paris (300 people). Inside Iran: a
    street taken in Tehran (verified two days ago, public), one in Shiraz (verified an hour ago,
    not yet public), and 57 people who said they joined in Tehran."""
    now = timezone.now()
    paris = make_city("Paris", country="FR", timezone="Europe/Paris", lat=48.85, lon=2.35)
    tehran = make_city(
        "Tehran", country="IR", timezone="Asia/Tehran", lat=35.69, lon=51.39, name_fa="تهران"
    )
    shiraz = make_city("Shiraz", country="IR", timezone="Asia/Tehran", lat=29.61, lon=52.54)
    Country.objects.filter(code="IR").update(high_risk=True)
    make_action(hub=make_hub("Berlin hub"), campaign=campaign)
    taken = [
        (make_hub("Paris hub", city=paris), dt.timedelta(days=2), False, 300),
        (make_hub("Tehran hub", city=tehran), dt.timedelta(days=2), True, 500),
        (make_hub("Shiraz hub", city=shiraz), dt.timedelta(hours=1), True, 200),
    ]
    for hub, verified_ago, after_the_fact, turnout in taken:
        action = make_action(
            hub=hub,
            campaign=campaign,
            status=Action.Status.COMPLETED,
            starts_at=now - dt.timedelta(days=3),
            after_the_fact=after_the_fact,
        )
        ReportBack.objects.create(
            action=action,
            turnout=turnout,
            language="en",
            approval=Approval.APPROVED,
            approved_at=now - verified_ago,
        )
    InsideCount.objects.create(campaign=campaign, city=tehran, count=57)
    return campaign


def test_streets_taken_inside_are_counted_apart_from_those_abroad(day):
    tally = compute_tally(day)

    # abroad: Berlin's planned action and Paris's street, nothing of Iran's
    assert (tally["actions"], tally["cities"], tally["countries"], tally["hubs"]) == (2, 2, 2, 2)
    assert (tally["completed"], tally["turnout"]) == (1, 300)
    assert [country["code"] for country in tally["per_country"]] == ["FR", "DE"]
    # inside: Tehran's street only (Shiraz's waits for its delay), its people rounded down
    assert (tally["streets_taken_inside"], tally["cities_inside"]) == (1, 1)
    assert (tally["inside"], tally["joined_inside"]) == (True, 50)
    assert tally["per_city_inside"] == [
        {"name": "Tehran", "name_fa": "تهران", "streets_taken": 1, "joined": 50}
    ]
    # the headline's streets taken are both, and so is the goal's progress
    assert tally["streets_taken"] == 2


def test_people_who_joined_are_not_shown_under_ten_nor_add_a_city(day, make_city):
    isfahan = make_city("Isfahan", country="IR", timezone="Asia/Tehran", lat=32.65, lon=51.67)
    InsideCount.objects.create(campaign=day, city=isfahan, count=9)

    tally = compute_tally(day)

    assert (tally["joined_inside"], tally["cities_inside"]) == (60, 1)
    assert "Isfahan" not in [city["name"] for city in tally["per_city_inside"]]


def test_a_campaign_with_nothing_inside_shows_no_inside_lines(client, campaign, make_action):
    make_action(campaign=campaign)
    tally = compute_tally(campaign)

    assert not tally["inside"] and tally["joined_inside"] is None
    html = client.get(f"/en/c/{campaign.slug}/").content.decode()
    assert "Inside, where gathering is dangerous" not in html


@pytest.mark.parametrize(
    ("language", "lines"),
    [
        (
            "en",
            [
                "1 street taken inside, reported afterwards and verified by a second person",
                "1 city inside",
                "At least 50 people joined inside",
            ],
        ),
        ("fa", ["۵۰"]),
    ],
)
def test_the_tally_fragment_shows_the_lines_inside(client, day, language, lines):
    html = client.get(f"/{language}/c/{day.slug}/tally/").content.decode()

    for line in lines:
        assert line in html
    assert f"/{language}/c/{day.slug}/inside/" in html


def test_the_api_tally_has_the_lines_inside(client, day):
    tally = client.get(f"/api/v1/campaigns/{day.slug}/tally").json()

    assert (tally["streets_taken"], tally["completed"], tally["actions"]) == (2, 1, 2)
    assert (tally["streets_taken_inside"], tally["cities_inside"]) == (1, 1)
    assert (tally["inside"], tally["joined_inside"]) == (True, 50)
    assert tally["per_city_inside"] == [
        {"name": "Tehran", "name_fa": "تهران", "streets_taken": 1, "joined": 50}
    ]
