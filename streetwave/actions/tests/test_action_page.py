"""The public page of an action: where it stands in time, what it offers then, and the parts a
phone needs (the map-app link, the page's own link, a form whose descriptions exist)."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from streetwave.actions.models import Action

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)


def page(client, action, language="en") -> str:
    response = client.get(f"/{language}/a/{action.public_id}/")
    assert response.status_code == 200
    return response.content.decode()


def calendar_href(action, language="en") -> str:
    return f'href="/{language}/a/{action.public_id}/calendar.ics"'


def test_an_upcoming_action_says_so_and_invites_an_rsvp(client, make_action):
    # given an action the day after tomorrow
    action = make_action(going_count=25)

    # when its page is read
    html = page(client, action)

    # then it says it is upcoming, counts who is going, and offers the form and the calendar
    assert 'class="action-phase action-phase-upcoming"' in html and "Upcoming" in html
    assert "more than 20 people" in html
    assert 'name="consent"' in html and 'class="rsvp-jump"' in html
    assert calendar_href(action) in html


def test_an_action_under_way_says_so_and_still_takes_rsvps(client, make_action):
    # given an action that began an hour ago and ends in an hour
    action = make_action(starts_in=-HOUR)

    # when its page is read
    html = page(client, action)

    # then it says it is happening now, until when, and the form is still there
    end = timezone.localtime(action.ends_at, action.zone).strftime("%H:%M")
    assert re.search(rf"Happening now, until {end}", html)
    assert "It has already begun: you can still join." in html
    assert 'name="consent"' in html
    assert calendar_href(action) in html


@pytest.mark.parametrize("language", ["en", "fa"])
def test_an_ended_action_says_so_and_invites_nothing(client, make_action, language):
    # given an action that ended an hour ago, with 25 RSVPs
    action = make_action(starts_in=-3 * HOUR, going_count=25)
    assert action.phase == Action.Phase.ENDED

    # when its page is read
    html = page(client, action, language)

    # then it says it has ended, offers no form, no RSVP bar and no calendar
    assert 'class="notice notice-ended"' in html
    if language == "en":
        assert "This action has ended." in html
        # and the count is told in the past: people said they would come, none are "going"
        assert "More than 20 people said they would come." in html
        assert "Going" not in html
    assert 'name="consent"' not in html and "rsvp-jump" not in html
    assert "calendar.ics" not in html
    assert 'class="action-phase' not in html


def test_a_cancelled_action_offers_no_calendar_no_form_and_no_count(client, make_action):
    # given a cancelled action still ahead, which had RSVPs
    action = make_action(status=Action.Status.CANCELLED, going_count=25)

    # when its page is read
    html = page(client, action)

    # then it says it is cancelled and offers nothing to come to
    assert "This action has been cancelled." in html
    assert "calendar.ics" not in html and "Add to your calendar" not in html
    assert 'name="consent"' not in html
    assert "more than 20 people" not in html
    assert 'class="action-phase' not in html


def test_every_aria_describedby_of_the_form_names_an_element_of_the_page(client, make_action):
    # given the page of an action open for RSVPs
    html = page(client, make_action())

    # then every description the form's fields point at is on the page
    described = re.findall(r'aria-describedby="([^"]+)"', html)
    assert described, "no field is described"
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    for names in described:
        for name in names.split():
            assert name in ids, f"aria-describedby names a missing id: {name}"


def test_the_map_app_link_and_the_page_link(client, make_action):
    # given an action at a named place in Berlin
    action = make_action(place="Platz (Nord), 1")

    # when its page is read
    html = page(client, action)

    # then the geo: link carries the point to 4 decimals and the place as its label, encoded
    assert (
        'href="geo:52.5200,13.4000?q=52.5200,13.4000(Platz%20%28Nord%29%2C%201%2C%20Berlin)"'
        in html
    )
    # and the page's own address is there to share without JavaScript
    assert f'href="http://testserver/en/a/{action.public_id}/"' in html
    # and the map is described by data for the script, hidden until it draws
    assert "data-action-map hidden" in html and 'data-lat="52.5200"' in html


def test_the_page_link_is_the_page_also_when_it_answers_a_refused_rsvp(client, make_action):
    # given an RSVP sent without consent
    action = make_action()
    response = client.post(f"/en/a/{action.public_id}/rsvp/", {"language": "en"})

    # then the page shares its own address, not the address of the form's answer
    html = response.content.decode()
    assert response.status_code == 400
    assert f'href="http://testserver/en/a/{action.public_id}/"' in html
    assert '/rsvp/" dir' not in html


@pytest.mark.parametrize(("language", "arrow"), [("en", "→"), ("fa", "←")])
def test_the_change_history_points_from_before_to_after(
    client, make_action, move_action, language, arrow
):
    # given an action that moved to another place and time
    action = make_action()
    move_action(action, "Rosa-Luxemburg-Platz", earlier=HOUR)

    # when its page is read
    html = page(client, action, language)

    # then both lines point, in the page's reading direction, from the old to the new
    lines = re.findall(r"</del> <span class=\"arrow\">(.)</span> <ins>", html)
    assert lines == [arrow, arrow]
