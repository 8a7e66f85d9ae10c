"""The one two-person rule (DESIGN.md house rule 11, privacy rule 6), asked the same four
questions of every feature that uses it: the requester cannot approve, another holder can, a
second decision is a conflict, and an outsider gets a 404."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from streetwave.actions import services as actions
from streetwave.actions.models import Action
from streetwave.actions.services.changes import apply_or_hold_change
from streetwave.approvals.errors import RequesterCannotApprove
from streetwave.approvals.models import Approval
from streetwave.broadcasts import services as broadcasts
from streetwave.broadcasts.models import Broadcast
from streetwave.core.errors import Conflict
from streetwave.hubs.models import Membership
from streetwave.reportbacks import services as reportbacks

pytestmark = pytest.mark.django_db


@dataclass
class World:
    action: Action
    lead: Any
    organizer: Any
    second_organizer: Any
    coordinators: list
    outsider: Any


@dataclass(frozen=True)
class Feature:
    """How one feature asks for a second person: who asks, who may approve (two of them, for
    the second decision), how to approve through the service and through its URL."""

    name: str
    hold: Callable[[World], Any]
    people: Callable[[World], tuple[Any, Any, Any]]  # requester, a holder, another holder
    approve: Callable[[Any, Any], Any]
    url: Callable[[Any], str]
    is_approved: Callable[[Any], bool]


def _hold_change(world: World):
    action = world.action
    return apply_or_hold_change(
        action,
        starts_at=action.starts_at,
        ends_at=action.ends_at,
        place="The other square",
        latitude=action.latitude,
        longitude=action.longitude,
        actor=world.lead,
    )


def _hold_relay_message(world: World):
    actions.create_rsvp(
        world.action, pseudonym="", email="s@example.org", language="en", consent=True
    )
    return actions.send_relay_message(world.action, body="The square moved!", actor=world.lead)


def _hold_action(world: World):
    Action.objects.filter(pk=world.action.pk).update(
        status=Action.Status.PENDING, approval=Approval.HELD, requested_by=world.coordinators[0]
    )
    world.action.refresh_from_db()
    return world.action


def _hold_broadcast(world: World):
    campaign = world.action.campaign
    assert campaign is not None
    return broadcasts.create_broadcast(
        campaign,
        audience=Broadcast.Audience.HUBS,
        texts={"en": {"subject": "Bring candles", "body": "Everyone brings a candle."}},
        actor=world.coordinators[0],
    )


def _hold_report_back(world: World):
    # A report-back is filed once the action has begun: this one ended an hour ago.
    now = timezone.now()
    Action.objects.filter(pk=world.action.pk).update(
        starts_at=now - dt.timedelta(hours=3), ends_at=now - dt.timedelta(hours=1)
    )
    world.action.refresh_from_db()
    return reportbacks.file_report_back(
        world.action,
        took_place=True,
        reason="",
        turnout=300,
        turnout_is_estimate=False,
        story="",
        language="en",
        actor=world.lead,
    )


def _hub_side(world: World):
    return world.lead, world.organizer, world.second_organizer


def _campaign_side(world: World):
    return tuple(world.coordinators)


FEATURES = [
    Feature(
        "late change",
        _hold_change,
        _hub_side,
        lambda change, actor: actions.confirm_action_change(change, actor=actor),
        lambda change: f"/en/manage/changes/{change.public_id}/confirm/",
        lambda change: change.is_approved,
    ),
    Feature(
        "relay message",
        _hold_relay_message,
        _hub_side,
        lambda message, actor: actions.approve_relay_message(message, actor=actor),
        lambda message: f"/en/manage/messages/{message.public_id}/approve/",
        lambda message: message.is_approved and message.sent_at is not None,
    ),
    Feature(
        "attendee export",
        lambda world: actions.request_attendee_export(world.action, actor=world.lead),
        _hub_side,
        lambda export, actor: actions.approve_attendee_export(export, actor=actor),
        lambda export: f"/en/manage/exports/{export.public_id}/approve/",
        lambda export: export.is_approved and export.is_downloadable(),
    ),
    Feature(
        "broadcast",
        _hold_broadcast,
        _campaign_side,
        lambda broadcast, actor: broadcasts.approve_broadcast(broadcast, actor=actor),
        lambda broadcast: (
            f"/en/manage/campaigns/{broadcast.campaign.slug}/broadcasts/"
            f"{broadcast.public_id}/approve/"
        ),
        lambda broadcast: broadcast.is_approved and broadcast.status == Broadcast.Status.SENT,
    ),
    Feature(
        "action approval",
        _hold_action,
        _campaign_side,
        lambda action, actor: actions.approve_action(action, actor=actor),
        lambda action: (
            f"/en/manage/campaigns/{action.campaign.slug}/approvals/{action.public_id}/approve/"
        ),
        lambda action: action.status == Action.Status.PUBLISHED,
    ),
    Feature(
        "report-back",
        _hold_report_back,
        _hub_side,
        lambda report_back, actor: reportbacks.verify_report_back(report_back, actor=actor),
        lambda report_back: f"/en/manage/report-backs/{report_back.public_id}/verify/",
        lambda report_back: (
            report_back.is_current and report_back.action.status == Action.Status.COMPLETED
        ),
    ),
]


@pytest.fixture
def world(
    make_campaign, make_hub, make_member, make_coordinator, make_action, make_user, monkeypatch
):
    # A message or a broadcast to anyone at all is held, so one supporter is enough here.
    monkeypatch.setattr("streetwave.actions.services.relay.RELAY_APPROVAL_THRESHOLD", 0)
    monkeypatch.setattr("streetwave.broadcasts.services.APPROVAL_THRESHOLD", 0)
    campaign = make_campaign()
    hub = make_hub()
    action = make_action(hub=hub, campaign=campaign, starts_in=dt.timedelta(hours=24))
    return World(
        action=action,
        lead=make_member(hub, Membership.Role.LEAD),
        organizer=make_member(hub, Membership.Role.ORGANIZER),
        second_organizer=make_member(hub, Membership.Role.ORGANIZER),
        coordinators=[make_coordinator(campaign) for _ in range(3)],
        # an organizer of another hub, in no campaign
        outsider=make_member(make_hub("Elsewhere hub")),
    )


@pytest.fixture(params=FEATURES, ids=lambda feature: feature.name)
def feature(request):
    return request.param


def _fresh(held):
    return type(held).objects.get(pk=held.pk)


def test_the_requester_cannot_approve(world, feature):
    # Given something held for a second person
    held = feature.hold(world)
    requester, _, _ = feature.people(world)
    # When the person who asked for it approves it
    # Then the one error of the rule refuses, and it stays unapproved
    with pytest.raises(RequesterCannotApprove):
        feature.approve(_fresh(held), requester)
    assert not feature.is_approved(_fresh(held))


def test_another_holder_can_approve(world, feature, django_capture_on_commit_callbacks):
    # Given something held for a second person
    held = feature.hold(world)
    _, holder, _ = feature.people(world)
    # When another holder approves it
    with django_capture_on_commit_callbacks(execute=True):
        feature.approve(_fresh(held), holder)
    # Then it is approved and takes effect
    assert feature.is_approved(_fresh(held))


def test_a_second_decision_is_a_conflict(world, feature, django_capture_on_commit_callbacks):
    # Given something a second person has approved already
    held = feature.hold(world)
    _, holder, other_holder = feature.people(world)
    with django_capture_on_commit_callbacks(execute=True):
        feature.approve(_fresh(held), holder)
    # When yet another holder approves it too
    # Then that is a conflict (409), not a second effect
    with pytest.raises(Conflict):
        feature.approve(_fresh(held), other_holder)


def test_an_outsider_gets_a_404(client, login, world, feature):
    # Given something held for a second person
    held = feature.hold(world)
    # When someone with no role over it posts its approval
    login(client, world.outsider)
    response = client.post(feature.url(held))
    # Then the page is missing for them, and nothing changed
    assert response.status_code == 404
    assert not feature.is_approved(_fresh(held))
