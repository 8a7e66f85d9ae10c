"""Ended actions are said to be ended on the campaign's pages, and neither mixed in with what one
can still go to nor put into a supporter's calendar."""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from icalendar import Calendar

pytestmark = pytest.mark.django_db


@pytest.fixture
def street(make_campaign, make_city, make_hub, make_action):
    """A campaign in Hamburg: an action that ended an hour ago right here, one happening now a
    little further, one tonight across town, one tomorrow that was called off, and one in Berlin
    next week."""
    campaign = make_campaign()
    hamburg = make_city("Hamburg", lat=53.55, lon=9.99)
    berlin = make_city("Berlin")
    hub = make_hub("Hamburg hub", city=hamburg)

    def action(title, starts_in, lat, lon, city=hamburg, **fields):
        return make_action(
            hub=hub,
            campaign=campaign,
            city=city,
            title=title,
            starts_in=starts_in,
            latitude=lat,
            longitude=lon,
            **fields,
        )

    campaign.ended = action("Vigil this morning", dt.timedelta(hours=-3), 53.55, 9.99)
    campaign.now = action("March on now", dt.timedelta(hours=-1), 53.56, 9.99)
    campaign.tonight = action("Rally tonight", dt.timedelta(hours=5), 53.60, 10.05)
    campaign.called_off = action(
        "Rally called off", dt.timedelta(days=1), 53.58, 10.02, status="cancelled"
    )
    campaign.next_week = action("Rally in Berlin", dt.timedelta(days=7), 52.52, 13.40, city=berlin)
    cache.clear()
    return campaign


def _section(html: str, css_class: str) -> str:
    match = re.search(rf'<ol class="{css_class}">(.*?)</ol>', html, re.S)
    assert match, css_class
    return match.group(1)


def test_near_me_lists_what_one_can_go_to_first_and_the_ended_ones_apart(client, street):
    # when a supporter in Hamburg searches near their position, next to the ended vigil
    html = client.get(f"/en/c/{street.slug}/", {"near": "53.55,9.99"}).content.decode()

    # then the list of what is ahead starts with the nearest action not yet ended
    ahead = _section(html, "nearby")
    titles = re.findall(r"<bdi>([^<]+)</bdi></a>", ahead)
    assert titles == ["March on now", "Rally called off", "Rally tonight", "Rally in Berlin"]
    # and the ended vigil, though the nearest, is listed apart and said to be ended
    ended = _section(html, "nearby nearby-ended")
    assert "Vigil this morning" in ended and "Vigil this morning" not in ahead
    assert '<span class="phase phase-ended">ended</span>' in ended


def test_each_near_me_result_says_its_phase(client, street):
    html = client.get(f"/en/c/{street.slug}/", {"q": "Hamburg"}).content.decode()

    ahead = _section(html, "nearby")
    items = re.findall(r"<li>(.*?)</li>", ahead, re.S)
    phases = [re.search(r'class="phase phase-(\w+)"', item).group(1) for item in items]
    assert phases == ["now", "upcoming", "upcoming", "upcoming"]
    assert "happening now" in items[0]
    assert "cancelled" in items[1]


def test_near_me_with_only_ended_actions_says_nothing_is_ahead(
    client, make_campaign, make_city, make_hub, make_action
):
    campaign = make_campaign()
    hub = make_hub("Hamburg hub", city=make_city("Hamburg", lat=53.55, lon=9.99))
    make_action(hub=hub, campaign=campaign, title="Over", starts_in=dt.timedelta(hours=-5))
    cache.clear()

    html = client.get(f"/en/c/{campaign.slug}/", {"near": "53.55,9.99"}).content.decode()

    assert "No upcoming actions near there." in _section(html, "nearby")
    assert "Over" in _section(html, "nearby nearby-ended")
    assert "Add these actions to your calendar" not in html


def test_the_list_by_place_says_each_actions_phase(client, street):
    html = client.get(f"/en/c/{street.slug}/places/de/").content.decode()

    places = html[html.index('id="places-heading"') :]
    for action, phase in [
        (street.ended, "ended"),
        (street.now, "now"),
        (street.tonight, "upcoming"),
        (street.next_week, "upcoming"),
    ]:
        item = re.search(rf"<li>[^\n]*{action.title}[^\n]*</li>", places).group(0)
        assert f'class="phase phase-{phase}"' in item, item
    assert "Add all actions to your calendar" not in html


def _events(response) -> dict[str, object]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return {str(e["SUMMARY"]): e for e in Calendar.from_ical(response.content).walk("VEVENT")}


def test_the_campaign_calendar_holds_only_what_one_can_still_go_to(client, street):
    events = _events(client.get(f"/en/c/{street.slug}/calendar.ics"))

    # neither the ended vigil nor the cancelled rally
    assert set(events) == {"March on now", "Rally tonight", "Rally in Berlin"}
    assert {str(event["STATUS"]) for event in events.values()} == {"CONFIRMED"}


def test_the_near_me_calendar_holds_the_results_of_that_search(client, street):
    # given the results of a search near Hamburg, which link to their own calendar
    html = client.get(f"/en/c/{street.slug}/", {"near": "53.55,9.99"}).content.decode()
    link = re.search(r'href="([^"]+calendar\.ics\?[^"]+)">Add these actions to your calendar', html)
    assert link, "no calendar of the results"
    url = link.group(1).replace("&amp;", "&")
    assert url == f"/en/c/{street.slug}/calendar.ics?near=53.55%2C9.99"

    # when that calendar is fetched
    response = client.get(url)

    # then it holds the results one can still go to, nearest first, and is named after the place
    events = _events(response)
    assert list(events) == ["March on now", "Rally tonight", "Rally in Berlin"]
    assert "Hamburg" in str(Calendar.from_ical(response.content)["X-WR-CALNAME"])


def test_the_near_me_calendar_of_a_city_search(client, street):
    events = _events(client.get(f"/fa/c/{street.slug}/calendar.ics", {"q": "Hamburg"}))

    assert set(events) == {"March on now", "Rally tonight", "Rally in Berlin"}


@pytest.mark.parametrize("params", [{"near": "91,0"}, {"q": "x" * 101}])
def test_a_calendar_with_a_bad_search_is_a_400_that_says_why(client, street, params):
    response = client.get(f"/en/c/{street.slug}/calendar.ics", params)

    assert response.status_code == 400
    assert response.content.decode()


def test_the_hub_page_says_each_actions_phase(client, street):
    html = client.get(f"/en/h/{street.now.hub.public_id}/").content.decode()

    for action, phase in [(street.now, "now"), (street.tonight, "upcoming")]:
        item = re.search(rf"<li>[^\n]*{action.title}[^\n]*</li>", html).group(0)
        assert f'class="phase phase-{phase}"' in item, item
    called_off = re.search(r"<li>[^\n]*Rally called off[^\n]*</li>", html).group(0)
    assert "cancelled" in called_off


def test_the_near_me_calendar_keeps_the_position_as_it_was_typed(client, street):
    # given a search near a position whose second decimals are zeros (the page's script
    # writes 45.40, not 45.4)
    html = client.get(f"/en/c/{street.slug}/", {"near": "53.50,9.90"}).content.decode()
    # then its calendar link carries the position in the same two decimals
    assert f"/en/c/{street.slug}/calendar.ics?near=53.50%2C9.90" in html
