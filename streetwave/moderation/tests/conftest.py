"""The small world of the moderation tests: the live campaign and its two coordinators, a hub
with a lead and an organizer (from the root conftest), and a published action of it in the
campaign."""

import itertools

import pytest

from streetwave.actions import services as actions

_emails = itertools.count(1)


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
