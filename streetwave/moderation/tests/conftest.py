"""The small world of the moderation tests: the live campaign and its two coordinators (from the
root conftest), a hub with a lead and an organizer, and a published action of it in the
campaign."""

import itertools

import pytest

from streetwave.actions import services as actions
from streetwave.hubs.models import Membership

_emails = itertools.count(1)


@pytest.fixture
def hub(make_hub):
    return make_hub("Berlin hub")


@pytest.fixture
def lead(hub, make_member):
    return make_member(hub, Membership.Role.LEAD)


@pytest.fixture
def organizer(hub, make_member):
    return make_member(hub, Membership.Role.ORGANIZER)


@pytest.fixture
def action(campaign, hub, make_action):
    return make_action(hub=hub, campaign=campaign, title="Rally for freedom")


@pytest.fixture
def rsvp_to():
    """rsvp_to(action, n, language=...): n RSVPs with an address; returns their addresses."""

    def make(action, count=1, *, language="en"):
        emails = []
        for _ in range(count):
            email = f"supporter{next(_emails)}@example.org"
            actions.create_rsvp(action, email=email, language=language, consent=True)
            emails.append(email)
        return emails

    return make
