"""The small world of the safety tests: the live campaign and its coordinators, a hub with a lead
and an organizer (from the root conftest), a safety lead and a member of the hub, a campaign safety
coordinator, and a published action of the hub in the campaign that is happening now, with a
supporter going to it."""

import datetime as dt

import pytest
from django.utils import timezone

from streetwave.actions import services as actions
from streetwave.actions.models import RSVP, Action
from streetwave.core.ids import hash_token, new_token
from streetwave.hubs.models import CampaignRole, Membership

SUPPORTER_EMAIL = "supporter-canary@example.org"
SUPPORTER_PSEUDONYM = "Canary Pseudonym"


@pytest.fixture
def safety_lead(hub, make_member):
    return make_member(hub, Membership.Role.SAFETY_LEAD)


@pytest.fixture
def member(hub, make_member):
    return make_member(hub, Membership.Role.MEMBER)


@pytest.fixture
def make_safety_coordinator(make_user):
    def make(campaign, user=None):
        user = user or make_user()
        CampaignRole.objects.create(
            user=user, campaign=campaign, role=CampaignRole.Role.SAFETY_COORDINATOR
        )
        return user

    return make


@pytest.fixture
def safety_coordinator(campaign, make_safety_coordinator):
    return make_safety_coordinator(campaign)


def run_now(action: Action, *, started: dt.timedelta = dt.timedelta(hours=1)) -> Action:
    """Move `action` so that it started `started` ago and lasts two hours."""
    start = timezone.now() - started
    Action.objects.filter(pk=action.pk).update(
        starts_at=start, ends_at=start + dt.timedelta(hours=2)
    )
    action.refresh_from_db()
    return action


@pytest.fixture
def upcoming(campaign, hub, make_action):
    return make_action(hub=hub, campaign=campaign, title="Rally for freedom")


@pytest.fixture
def receipt(upcoming):
    """A supporter going to the action, RSVPed before it started."""
    return actions.create_rsvp(
        upcoming,
        email=SUPPORTER_EMAIL,
        pseudonym=SUPPORTER_PSEUDONYM,
        language="en",
        consent=True,
    )


@pytest.fixture
def token(receipt):
    """The supporter's manage link token (the mail that carries it is not read here)."""
    token = new_token()
    RSVP.objects.filter(action=receipt.action).update(manage_token_hash=hash_token(token))
    return token


@pytest.fixture
def rsvp(token):
    return RSVP.objects.get(manage_token_hash=hash_token(token))


@pytest.fixture
def action(upcoming, token):
    return run_now(upcoming)
