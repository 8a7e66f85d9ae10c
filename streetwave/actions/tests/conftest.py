import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from streetwave.actions import services, tasks
from streetwave.actions.models import Action
from streetwave.hubs.models import Membership


@dataclass
class Clock:
    offset: dt.timedelta

    def advance(self, **delta) -> None:
        self.offset += dt.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    """Move Django's clock forward without sleeping: `clock.advance(minutes=16)`."""
    clock = Clock(dt.timedelta(0))
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + clock.offset)
    return clock


@dataclass
class Team:
    hub: object
    lead: object
    organizer: object
    safety_lead: object
    member: object


@pytest.fixture
def team(make_hub, make_member):
    """An active hub with one person in each role."""
    hub = make_hub()
    return Team(
        hub=hub,
        lead=make_member(hub, Membership.Role.LEAD),
        organizer=make_member(hub, Membership.Role.ORGANIZER),
        safety_lead=make_member(hub, Membership.Role.SAFETY_LEAD),
        member=make_member(hub, Membership.Role.MEMBER),
    )


@pytest.fixture
def rsvp():
    """RSVP through the public service, as a supporter would."""

    def make(action, *, pseudonym="", email="", language="en"):
        return services.create_rsvp(
            action, pseudonym=pseudonym, email=email, language=language, consent=True
        )

    return make


@pytest.fixture
def established(make_action):
    """Take `hub` off probation: one of its actions was verified as having taken place."""

    def make(hub):
        return make_action(
            hub=hub,
            title="Last month's vigil",
            starts_in=-dt.timedelta(days=30),
            status=Action.Status.COMPLETED,
        )

    return make


@pytest.fixture
def beat(django_capture_on_commit_callbacks):
    """One run of the task beat starts every minute, with the mails it queues sent."""

    def run() -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return tasks.queue_due_reminders.delay().get()

    return run
