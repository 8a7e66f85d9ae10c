"""Organizer pages give times in the local time of the hub or the action, and say which zone;
never UTC for a city that is not on it."""

import datetime as dt

import pytest
from django.utils import timezone

from streetwave.actions import services
from streetwave.hubs.models import Membership

pytestmark = pytest.mark.django_db

# 23:30 UTC in midwinter is 10:30 the next day in Melbourne (UTC+11): another date and hour.
MOMENT = dt.datetime(2026, 1, 14, 23, 30, tzinfo=dt.UTC)


@pytest.fixture
def melbourne(make_city, make_hub, make_member, make_action):
    class Melbourne:
        city = make_city(
            "Melbourne", country="AU", timezone="Australia/Melbourne", lat=-37.8, lon=145
        )
        hub = make_hub("Melbourne hub", city=city)
        lead = make_member(hub, Membership.Role.LEAD)
        action = make_action(hub=hub, starts_in=dt.timedelta(days=3))

    return Melbourne


def test_attendees_page_shows_rsvp_times_in_the_actions_zone(client, login, melbourne, monkeypatch):
    # Given an RSVP made at 23:30 UTC, 10:30 in Melbourne
    monkeypatch.setattr(timezone, "now", lambda: MOMENT)
    services.create_rsvp(
        melbourne.action, pseudonym="Shirin", email="", language="en", consent=True
    )
    monkeypatch.undo()
    # When the hub's lead opens the attendees
    login(client, melbourne.lead)
    page = client.get(f"/en/manage/actions/{melbourne.action.public_id}/attendees/")
    text = page.content.decode()
    # Then the time is Melbourne's, with its offset, and the page names the zone
    assert "10:30 (UTC+11:00)" in text
    assert "23:30" not in text
    assert "Australia/Melbourne" in text


def test_the_hub_log_shows_times_in_the_hubs_zone(client, login, melbourne, monkeypatch):
    # Given an invitation sent at 23:30 UTC
    from streetwave.hubs.services import invite_organizer

    monkeypatch.setattr(timezone, "now", lambda: MOMENT)
    invite_organizer(
        melbourne.hub,
        email="new@example.org",
        role=Membership.Role.ORGANIZER,
        language="en",
        actor=melbourne.lead,
    )
    monkeypatch.undo()
    # When the lead opens the hub's page and the dashboard
    login(client, melbourne.lead)
    hub_page = client.get(f"/en/manage/hubs/{melbourne.hub.public_id}/").content.decode()
    dashboard = client.get("/en/manage/").content.decode()
    # Then the log says 10:30 Melbourne time, not 23:30 UTC, and names the zone
    for page in (hub_page, dashboard):
        assert "10:30 (UTC+11:00)" in page
        assert "(UTC+00:00)" not in page
        assert "Australia/Melbourne" in page
