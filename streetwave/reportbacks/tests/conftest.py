"""The world of report-back tests: a hub with a lead and an organizer, the hub that vouched
for it with its lead, a campaign with a coordinator (root fixtures), and an action of the hub in
the campaign that ended an hour ago."""

import datetime as dt
from dataclasses import dataclass

import pytest

from streetwave.hubs.models import Membership


@dataclass
class World:
    hub: object
    sponsor: object
    lead: object
    organizer: object
    sponsor_lead: object
    action: object


@pytest.fixture
def world(make_hub, make_city, make_member, make_action, campaign):
    sponsor = make_hub("Paris hub", city=make_city("Paris", lat=48.85, lon=2.35))
    hub = make_hub("Berlin hub", sponsor=sponsor)
    return World(
        hub=hub,
        sponsor=sponsor,
        lead=make_member(hub, Membership.Role.LEAD),
        organizer=make_member(hub, Membership.Role.ORGANIZER),
        sponsor_lead=make_member(sponsor, Membership.Role.LEAD),
        action=make_action(hub=hub, campaign=campaign, starts_in=-dt.timedelta(hours=3)),
    )


@pytest.fixture
def file_report(world):
    """file_report(**changes): the hub's organizer files a report-back of the world's action:
    it took place, 300 people, a story in English."""
    from streetwave.reportbacks.services import file_report_back

    def file(action=None, actor=None, **changes):
        fields = {
            "took_place": True,
            "reason": "",
            "turnout": 300,
            "turnout_is_estimate": False,
            "story": "We filled **the square**.",
            "language": "en",
            **changes,
        }
        return file_report_back(action or world.action, **fields, actor=actor or world.organizer)

    return file


@pytest.fixture
def report_back(file_report):
    """The hub organizer's report-back of the world's action (see `file_report`)."""
    return file_report()


@pytest.fixture
def photo_folders(settings, tmp_path):
    """The var folder (uploads waiting for the task) and the media folder (stored photos) of
    this test alone."""
    settings.VAR_DIR = tmp_path / "var"
    settings.MEDIA_ROOT = tmp_path / "media"
