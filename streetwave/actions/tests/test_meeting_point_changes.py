"""The private meeting point is moved by two people: within 48 hours of the start, or once it has
been revealed, a new meeting point waits for a second person (the late-change rule), and only
then is it mailed, once, to the people going. Earlier it applies at once."""

import datetime as dt

import pytest
from django.core import mail

from streetwave.actions import services
from streetwave.actions.forms import initial_for
from streetwave.actions.models import RSVP, Action, ActionChange
from streetwave.actions.services.changes import is_late_meeting_point_change
from streetwave.approvals.errors import RequesterCannotApprove
from streetwave.approvals.models import Approval
from streetwave.audit.models import AuditEntry
from streetwave.hubs.models import Membership

pytestmark = pytest.mark.django_db

OLD = "North exit of the U-Bahn, by the flower stall"
NEW = "South exit, by the bakery"
H = dt.timedelta(hours=1)


@pytest.fixture
def publish(team, make_action, established):
    """A draft of the team's hub, published through the service, so its reminders and reveal
    are scheduled as organizers' actions are."""
    established(team.hub)

    def make(*, starts_in, **fields):
        action = make_action(
            hub=team.hub, status=Action.Status.DRAFT, starts_in=starts_in, **fields
        )
        return services.publish_action(action, actor=team.organizer)

    return make


@pytest.fixture
def revealed(publish, rsvp, beat):
    """An action in 90 minutes whose meeting point (OLD) was revealed and mailed: two people
    going (one reading Persian), one waitlisted, one who cancelled, all with an address."""
    action = publish(starts_in=90 * dt.timedelta(minutes=1), meeting_point=OLD, capacity=2)
    rsvp(action, email="going@example.org")
    rsvp(action, email="going-fa@example.org", language="fa")
    rsvp(action, email="waiting@example.org")
    rsvp(action, email="gone@example.org")
    services.cancel_rsvp(RSVP.objects.filter(action=action).latest("id"))
    beat()
    assert {m.to[0] for m in mail.outbox if OLD in m.body} == {
        "going@example.org",
        "going-fa@example.org",
    }
    mail.outbox.clear()
    action.refresh_from_db()
    return action


def move_meeting_point(action, actor, point=NEW):
    return services.update_action(
        action, services.ActionDetails.of(action, meeting_point=point), actor=actor
    )


def test_a_new_meeting_point_within_48_hours_waits_for_a_second_person(
    client, login, team, publish, rsvp, django_capture_on_commit_callbacks
):
    # Given an action in 30 hours whose meeting point is not revealed yet
    action = publish(starts_in=30 * H, meeting_point=OLD)
    rsvp(action, email="going@example.org")
    mail.outbox.clear()

    # When one organizer changes the meeting point
    with django_capture_on_commit_callbacks(execute=True):
        change = move_meeting_point(action, team.organizer)

    # Then the change is held with before and after, the action keeps its point, nobody is told
    assert change is not None and change.is_held
    assert (change.old_meeting_point, change.new_meeting_point) == (OLD, NEW)
    assert change.moves_meeting_point and not (change.moves_time or change.moves_place)
    action.refresh_from_db()
    assert action.meeting_point == OLD
    assert mail.outbox == []
    entry = AuditEntry.objects.get(verb="action.change_held")
    assert entry.data == {"change": change.public_id}
    assert NEW not in str(entry.data)
    # and the hub's organizers see before and after on the action's page
    login(client, team.lead)
    page = client.get(f"/en/manage/actions/{action.public_id}/").content.decode()
    assert "A change waits for a second person" in page
    assert OLD in page and NEW in page
    # and the public page shows no change at all
    public = client.get(f"/en/a/{action.public_id}/").content.decode()
    assert NEW not in public and "has changed" not in public


def test_a_new_meeting_point_after_the_reveal_waits_for_a_second_person(
    team, revealed, beat, django_capture_on_commit_callbacks
):
    # Given a meeting point revealed and mailed to the people going
    # When one organizer changes it, and beat runs
    with django_capture_on_commit_callbacks(execute=True):
        change = move_meeting_point(revealed, team.organizer)
    beat()

    # Then it is held and nobody is told anything new
    assert change.is_held
    revealed.refresh_from_db()
    assert revealed.meeting_point == OLD
    assert mail.outbox == []


def test_a_reveal_longer_than_the_window_still_holds_a_change_after_the_reveal(team, make_action):
    # Given an action in 60 hours whose meeting point was revealed 72 hours before its start (a
    # lead no form offers today: the rule must not depend on the choices)
    action = make_action(
        hub=team.hub, starts_in=60 * H, meeting_point=OLD, reveal_lead=dt.timedelta(hours=72)
    )
    assert not action.is_late()
    assert is_late_meeting_point_change(action, action.starts_at)

    # When one organizer changes the meeting point, then it is held
    change = move_meeting_point(action, team.organizer)

    assert change is not None and change.is_held


def test_a_new_meeting_point_before_the_window_and_the_reveal_applies_at_once(
    team, publish, rsvp, django_capture_on_commit_callbacks
):
    # Given an action in five days
    action = publish(starts_in=5 * 24 * H, meeting_point=OLD)
    rsvp(action, email="going@example.org")
    mail.outbox.clear()

    # When one organizer changes the meeting point
    with django_capture_on_commit_callbacks(execute=True):
        change = move_meeting_point(action, team.organizer)

    # Then it applies at once, as any other detail, and nobody is mailed (nobody knew it yet)
    assert change is None
    action.refresh_from_db()
    assert action.meeting_point == NEW
    assert not ActionChange.objects.exists()
    assert mail.outbox == []


def test_a_confirmed_meeting_point_is_mailed_once_to_the_people_going_only(
    client, team, revealed, beat, django_capture_on_commit_callbacks
):
    # Given a new meeting point held after the reveal
    change = move_meeting_point(revealed, team.organizer)

    # When a second organizer confirms it, and beat runs twice after
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm_action_change(change, actor=team.lead)
    beat()
    beat()

    # Then the action has the new point
    revealed.refresh_from_db()
    assert revealed.meeting_point == NEW
    # and each person going got one mail with it, in their language; the waitlist got nothing
    assert sorted(m.to[0] for m in mail.outbox) == ["going-fa@example.org", "going@example.org"]
    for message in mail.outbox:
        assert NEW in message.body and OLD not in message.body
        assert "New meeting point" in message.subject or "going-fa" in message.to[0]
    persian = next(m for m in mail.outbox if m.to == ["going-fa@example.org"])
    assert f"/fa/a/{revealed.public_id}/" in persian.body
    assert 'dir="rtl"' in persian.alternatives[0][0]
    entry = AuditEntry.objects.get(verb="action.change_confirmed")
    assert entry.actor == team.lead and entry.data["notified"] == 2
    # and the public page lists no change: the meeting point is not public
    public = client.get(f"/en/a/{revealed.public_id}/").content.decode()
    assert NEW not in public and "has changed" not in public


def test_the_requester_cannot_confirm_their_own_new_meeting_point(team, revealed):
    change = move_meeting_point(revealed, team.organizer)

    with pytest.raises(RequesterCannotApprove):
        services.confirm_action_change(change, actor=team.organizer)

    change.refresh_from_db()
    revealed.refresh_from_db()
    assert change.approval == Approval.HELD and revealed.meeting_point == OLD


def test_a_meeting_point_confirmed_before_the_reveal_is_told_by_the_reveal_mail(
    clock, team, publish, rsvp, beat, django_capture_on_commit_callbacks
):
    # Given an action in 30 hours with a meeting point revealed 2 hours before, one going
    action = publish(starts_in=30 * H, meeting_point=OLD)
    rsvp(action, email="going@example.org")
    mail.outbox.clear()
    change = move_meeting_point(action, team.organizer)

    # When it is confirmed before the reveal
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm_action_change(change, actor=team.lead)
    # Then nobody is mailed yet
    assert mail.outbox == []

    # and at the reveal the one going learns the new point, once
    clock.advance(hours=28, minutes=1)
    beat()
    beat()
    [message] = mail.outbox
    assert NEW in message.body and OLD not in message.body


def test_a_meeting_point_taken_away_after_the_reveal_tells_the_people_going(
    team, revealed, django_capture_on_commit_callbacks
):
    change = move_meeting_point(revealed, team.organizer, point="")

    with django_capture_on_commit_callbacks(execute=True):
        services.confirm_action_change(change, actor=team.lead)

    assert sorted(m.to[0] for m in mail.outbox) == ["going-fa@example.org", "going@example.org"]
    english = next(m for m in mail.outbox if m.to == ["going@example.org"])
    assert "There is no private meeting point any more" in english.body
    assert OLD not in english.body


def test_a_new_time_and_meeting_point_tell_the_waitlist_the_time_only(
    team, revealed, django_capture_on_commit_callbacks
):
    # Given one change of the start and the meeting point after the reveal
    later = revealed.starts_at + dt.timedelta(minutes=30)
    change = services.update_action(
        revealed,
        services.ActionDetails.of(
            revealed, starts_at=later, ends_at=later + 2 * H, meeting_point=NEW
        ),
        actor=team.organizer,
    )
    assert change.is_held and change.moves_time and change.moves_meeting_point

    # When it is confirmed
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm_action_change(change, actor=team.lead)

    # Then everyone coming is told the new time, and only the people going the new point
    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {"going@example.org", "going-fa@example.org", "waiting@example.org"}
    assert NEW in by_address["going@example.org"].body
    assert NEW not in by_address["waiting@example.org"].body
    assert "The time or place" in by_address["waiting@example.org"].body


@pytest.fixture
def lone(make_hub, make_member, make_campaign, make_coordinator, make_action):
    """A hub whose lead is its only organizer, with an action in 24 hours in a campaign that has
    a coordinator."""

    class Lone:
        hub = make_hub()
        lead = make_member(hub, Membership.Role.LEAD)
        campaign = make_campaign()
        coordinator = make_coordinator(campaign)
        action = make_action(
            hub=hub, campaign=campaign, starts_in=24 * H, meeting_point="CANARY-OLD-POINT"
        )

    return Lone


def test_a_coordinator_confirms_for_a_hub_with_one_organizer_without_seeing_the_point(
    client, login, lone, django_capture_on_commit_callbacks
):
    # Given the lone organizer moves the meeting point
    change = move_meeting_point(lone.action, lone.lead, point="CANARY-NEW-POINT")
    assert change.is_held

    # When the campaign's coordinator opens the approval page
    login(client, lone.coordinator)
    page = client.get(f"/en/manage/campaigns/{lone.campaign.slug}/approvals/").content.decode()

    # Then the change is there, saying the meeting point changes, without either point
    assert f"change-{change.public_id}" in page
    assert "Only the organizers of the hub see the meeting point" in page
    assert "CANARY-OLD-POINT" not in page and "CANARY-NEW-POINT" not in page

    # and the coordinator's confirmation applies it
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/en/manage/changes/{change.public_id}/confirm/")
    assert response.status_code == 302
    lone.action.refresh_from_db()
    assert lone.action.meeting_point == "CANARY-NEW-POINT"
    change.refresh_from_db()
    assert change.approved_by == lone.coordinator


def test_the_edit_page_holds_a_new_meeting_point_and_says_so(client, login, team, revealed):
    # Given an organizer on the edit page of an action whose meeting point was revealed
    login(client, team.organizer)
    edit = f"/en/manage/actions/{revealed.public_id}/edit/"
    assert client.get(edit).status_code == 200
    values = initial_for(revealed)
    data = {name: "" if value is None else str(value) for name, value in values.items()}
    data["start_time"] = values["start_time"].strftime("%H:%M")
    data["end_time"] = values["end_time"].strftime("%H:%M")

    # When they save a new meeting point
    response = client.post(edit, {**data, "meeting_point": NEW}, follow=True)

    # Then the page says it waits for another organizer, and the action keeps its point
    page = response.content.decode()
    assert "meeting point is close to the start, so it waits" in page
    revealed.refresh_from_db()
    assert revealed.meeting_point == OLD
    change = ActionChange.objects.get()
    assert change.is_held and not change.moves_time and not change.moves_place
