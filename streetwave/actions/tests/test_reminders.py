"""Reminders to the people going and the reveal of the private meeting point: the schedule
(actions/reminders.py), the task beat runs every minute, the mails and the supporter's page."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone

from streetwave.actions import reminders, services
from streetwave.actions.models import DAY_BEFORE, RSVP, Action
from streetwave.audit.models import AuditEntry
from streetwave.core.errors import DomainError
from streetwave.outbox import services as outbox
from streetwave.outbox.models import Delivery, Message

pytestmark = pytest.mark.django_db

MEETING_POINT = "North exit of the U-Bahn, by the flower stall"
H = dt.timedelta(hours=1)


@pytest.fixture
def publish(team, make_action, established):
    """A draft of the team's hub, published through the service as organizers do."""
    established(team.hub)

    def make(*, starts_in=30 * H, **fields):
        action = make_action(
            hub=team.hub, status=Action.Status.DRAFT, starts_in=starts_in, **fields
        )
        return services.publish_action(action, actor=team.organizer)

    return make


@pytest.fixture
def one_going(publish, rsvp):
    """one_going(**fields): an action published with `fields`, one person going
    (going@example.org), and their confirmation mail out of the way."""

    def make(**fields):
        action = publish(**fields)
        rsvp(action, email="going@example.org")
        mail.outbox.clear()
        return action

    return make


@pytest.fixture
def set_by_two(team, beat, django_capture_on_commit_callbacks):
    """set_by_two(action, meeting_point): one organizer sets the meeting point of an action past
    its reveal time; while it waits for a second person, beat runs and no mail goes out; then a
    second organizer confirms it."""

    def set_point(action, meeting_point):
        change = services.update_action(
            action, services.ActionDetails.of(action, meeting_point=meeting_point), actor=team.lead
        )
        beat()
        assert change is not None and change.is_held
        assert mail.outbox == []
        with django_capture_on_commit_callbacks(execute=True):
            services.confirm_action_change(change, actor=team.organizer)

    return set_point


def manage_page(client, token) -> str:
    return client.get(f"/en/rsvp/{token}/").content.decode()


def reminder_keys() -> list[str]:
    return list(
        Message.objects.filter(kind="action.reminder").order_by("id").values_list("key", flat=True)
    )


def html_of(message) -> str:
    return message.alternatives[0][0]


# -- the pure schedule ------------------------------------------------------------------------

START = dt.datetime(2026, 11, 20, 17, 0, tzinfo=dt.UTC)


def plan(**fields) -> Action:
    values = {"starts_at": START, "reveal_lead": 2 * H, "reminder_lead": 2 * H, **fields}
    return Action(**values)


def test_without_a_meeting_point_there_are_two_reminders_and_no_reveal():
    moments = reminders.moments(plan(reminder_lead=3 * H))

    assert [(m.name, m.at, m.shows_meeting_point) for m in moments] == [
        ("day_before", START - DAY_BEFORE, False),
        ("reminder", START - 3 * H, False),
    ]


def test_a_reveal_at_the_time_of_a_reminder_is_one_moment_that_carries_the_meeting_point():
    moments = reminders.moments(plan(meeting_point=MEETING_POINT))

    assert [(m.name, m.at, m.shows_meeting_point) for m in moments] == [
        ("day_before", START - DAY_BEFORE, False),
        ("reveal", START - 2 * H, True),
    ]


def test_every_reminder_from_the_reveal_on_carries_the_meeting_point():
    moments = reminders.moments(
        plan(meeting_point=MEETING_POINT, reveal_lead=6 * H, reminder_lead=1 * H)
    )

    assert [(m.name, m.shows_meeting_point) for m in moments] == [
        ("day_before", False),
        ("reveal", True),
        ("reminder", True),
    ]


def test_a_second_reminder_a_day_before_is_the_day_before_reminder():
    moments = reminders.moments(plan(reminder_lead=24 * H))

    assert [m.name for m in moments] == ["day_before"]


def test_the_due_moment_is_the_latest_that_has_come_and_none_after_the_start():
    action = plan(reminder_lead=3 * H)

    assert reminders.due_moment(action, START - 25 * H) is None
    assert reminders.due_moment(action, START - 20 * H).name == "day_before"
    # Hours late (a scheduler that was down): only the latest, never a row of stale ones.
    assert reminders.due_moment(action, START - 1 * H).name == "reminder"
    assert reminders.due_moment(action, START) is None


def test_the_next_moment_skips_stale_reminders_but_catches_up_a_missed_reveal():
    without = plan(reminder_lead=2 * H)
    with_point = plan(meeting_point=MEETING_POINT, reveal_lead=3 * H, reminder_lead=1 * H)
    now = START - 150 * dt.timedelta(minutes=1)

    assert reminders.next_moment_at(without, START - 30 * H) == START - DAY_BEFORE
    assert reminders.next_moment_at(without, now, catch_up=True) == START - 2 * H
    assert reminders.next_moment_at(with_point, now, catch_up=True) == now
    assert reminders.next_moment_at(with_point, now) == START - 1 * H
    assert reminders.next_moment_at(with_point, START - 30 * dt.timedelta(minutes=1)) is None
    assert reminders.next_moment_at(with_point, START + H, catch_up=True) is None


# -- the reveal, step by step -----------------------------------------------------------------


def test_the_meeting_point_is_mailed_and_shown_at_the_reveal_time_and_never_before(
    client, clock, beat, publish, rsvp
):
    # Given an action in 30 hours whose meeting point is revealed 1 hour before the start and
    # whose second reminder comes 3 hours before, one supporter going with an email and one
    # going without (who keeps the manage link from the page)
    action = publish(meeting_point=MEETING_POINT, reveal_lead=1 * H, reminder_lead=3 * H)
    rsvp(action, email="going@example.org")
    token = rsvp(action).token
    mail.outbox.clear()

    # When the day before comes
    clock.advance(hours=6, minutes=1)
    beat()
    # Then the reminder goes out without the meeting point, saying when it comes
    [day_before] = mail.outbox
    assert day_before.to == ["going@example.org"]
    assert MEETING_POINT not in day_before.body and MEETING_POINT not in html_of(day_before)
    assert "private until" in day_before.body
    assert MEETING_POINT not in manage_page(client, token)

    # When the second reminder comes, still before the reveal
    clock.advance(hours=21)
    beat()
    assert len(mail.outbox) == 2 and MEETING_POINT not in mail.outbox[1].body
    # and a minute before the reveal, the page still keeps it and beat has nothing to send
    clock.advance(hours=1, minutes=58)
    assert beat() == 0
    assert MEETING_POINT not in manage_page(client, token)

    # When the reveal time comes
    clock.advance(minutes=2)
    beat()
    # Then the people going get it by mail and see it on their page
    reveal = mail.outbox[2]
    assert reveal.subject.startswith("Where to meet:")
    assert MEETING_POINT in reveal.body and MEETING_POINT in html_of(reveal)
    assert MEETING_POINT in manage_page(client, token)
    # and nothing is left to send
    assert beat() == 0
    action.refresh_from_db()
    assert action.next_message_at is None
    assert len(mail.outbox) == 3
    assert [key.split(":")[2] for key in reminder_keys()] == ["day_before", "reminder", "reveal"]
    # No mail carries a manage link or a sign-in link: the manage link is in the first mail only
    for message in mail.outbox:
        for text in (message.body, html_of(message)):
            assert "/rsvp/" not in text and "/accounts/" not in text and "login" not in text
        assert "link from your first message" in message.body
        assert f"/en/a/{action.public_id}/" in message.body


def test_a_reveal_at_the_time_of_the_second_reminder_is_one_mail(clock, beat, one_going):
    one_going(meeting_point=MEETING_POINT, reveal_lead=2 * H, reminder_lead=2 * H)

    clock.advance(hours=28, minutes=1)
    beat()

    [message] = mail.outbox
    assert MEETING_POINT in message.body
    assert [key.split(":")[2] for key in reminder_keys()] == ["reveal"]


def test_a_reminder_shows_the_meeting_point_only_to_people_going(
    client, clock, beat, publish, rsvp
):
    # Given a full action: one going with an email, one waitlisted with an email and one
    # waitlisted without, and one who cancelled
    action = publish(meeting_point=MEETING_POINT, capacity=1)
    rsvp(action, email="going@example.org")
    rsvp(action, email="waiting@example.org")
    waiting_token = rsvp(action).token
    rsvp(action, email="cancelled@example.org")
    services.cancel_rsvp(RSVP.objects.exclude(contact_index="").order_by("-id").first())
    assert sorted(RSVP.objects.values_list("status", flat=True)) == [
        "cancelled",
        "going",
        "waitlisted",
        "waitlisted",
    ]
    mail.outbox.clear()

    # When the reveal comes
    clock.advance(hours=28, minutes=1)
    beat()

    # Then only the person going gets it; the waitlisted never see it, by mail or on the page
    assert [m.to for m in mail.outbox] == [["going@example.org"]]
    assert MEETING_POINT in mail.outbox[0].body
    page = manage_page(client, waiting_token)
    assert "waitlisted" in page.lower()
    assert MEETING_POINT not in page


def test_running_the_task_twice_sends_each_moment_once(clock, beat, one_going):
    action = one_going()
    clock.advance(hours=6, minutes=1)

    # When beat runs, and a second run (overlapping, or a retry) finds the action due again
    beat()
    Action.objects.filter(pk=action.pk).update(next_message_at=timezone.now())
    beat()
    beat()

    # Then one mail
    assert len(mail.outbox) == 1
    assert len(reminder_keys()) == 1
    assert AuditEntry.objects.filter(verb="action.reminder_queued").count() == 1


def test_an_action_published_three_hours_before_gets_no_stale_day_before_reminder(
    clock, beat, one_going
):
    # Given an action published 3 hours before its start (second reminder 2 hours before)
    action = one_going(starts_in=3 * H)
    assert action.next_message_at == action.starts_at - 2 * H

    # When beat runs now and an hour later
    beat()
    assert mail.outbox == []
    clock.advance(hours=1, minutes=1)
    beat()

    # Then the only mail is the second reminder
    [message] = mail.outbox
    assert message.subject.startswith("Reminder:")
    assert [key.split(":")[2] for key in reminder_keys()] == ["reminder"]


def test_after_a_long_pause_of_beat_only_the_latest_moment_is_sent(clock, beat, one_going):
    action = one_going()

    # beat does not run from before the day-before reminder until after the second reminder
    clock.advance(hours=28, minutes=30)
    beat()

    assert len(mail.outbox) == 1
    assert [key.split(":")[2] for key in reminder_keys()] == ["reminder"]
    action.refresh_from_db()
    assert action.next_message_at is None


def test_an_action_published_after_its_reveal_time_sends_the_meeting_point_at_once(beat, one_going):
    one_going(starts_in=90 * dt.timedelta(minutes=1), meeting_point=MEETING_POINT)

    beat()

    [message] = mail.outbox
    assert MEETING_POINT in message.body


def test_a_meeting_point_added_after_its_reveal_time_is_sent_once_a_second_person_confirms(
    beat, one_going, set_by_two
):
    # Given an action past its reveal time, with no meeting point yet
    action = one_going(starts_in=90 * dt.timedelta(minutes=1), reminder_lead=1 * H)
    assert action.next_message_at == action.starts_at - 1 * H

    # When one organizer adds a meeting point (nobody is told) and another confirms it
    set_by_two(action, MEETING_POINT)
    beat()

    # Then it is sent at once
    [message] = mail.outbox
    assert MEETING_POINT in message.body


def test_a_meeting_point_changed_after_the_reveal_is_mailed_again_once_confirmed(
    beat, publish, rsvp, set_by_two
):
    # Given an action whose meeting point was revealed and mailed
    action = publish(starts_in=90 * dt.timedelta(minutes=1), meeting_point=MEETING_POINT)
    rsvp(action, email="going@example.org")
    beat()
    mail.outbox.clear()

    # When an organizer moves the meeting point (nothing goes out from one organizer), a second
    # organizer confirms it, and beat runs twice
    moved = "South exit, by the bakery"
    set_by_two(action, moved)
    beat()
    beat()

    # Then the people going are told the new point, once
    [message] = mail.outbox
    assert moved in message.body and MEETING_POINT not in message.body


def test_who_moves_up_from_the_waitlist_after_the_reveal_is_told_the_meeting_point(
    team, publish, rsvp, django_capture_on_commit_callbacks
):
    # Given a full action past its reveal time, with one person waiting
    action = publish(starts_in=90 * dt.timedelta(minutes=1), meeting_point=MEETING_POINT)
    action.capacity = 1
    action.save(update_fields=["capacity"])
    first = rsvp(action, email="first@example.org")
    rsvp(action, email="waiting@example.org")
    going = RSVP.objects.get(action=action, status=RSVP.Status.GOING)
    assert first.emailed

    # When the person going cancels
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_rsvp(going)

    # Then the one who moved up learns where to meet in the same mail
    [message] = mail.outbox
    assert message.to == ["waiting@example.org"]
    assert MEETING_POINT in message.body


def test_a_confirmation_carries_the_meeting_point_only_once_it_is_revealed(
    clock, publish, rsvp, django_capture_on_commit_callbacks
):
    action = publish(starts_in=5 * H, meeting_point=MEETING_POINT)
    with django_capture_on_commit_callbacks(execute=True):
        rsvp(action, email="early@example.org")
    clock.advance(hours=3, minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        rsvp(action, email="late@example.org")

    early, late = mail.outbox
    assert MEETING_POINT not in early.body
    assert MEETING_POINT in late.body


def test_a_meeting_point_may_not_link_anywhere_but_the_site(team, publish):
    # Given a published action; when an organizer's edit points people to another site
    action = publish(meeting_point=MEETING_POINT)
    edit = services.ActionDetails.of(
        action, meeting_point="It moved, see https://maps.evil.example/x"
    )

    # Then the edit is refused beside the field, and the meeting point is unchanged
    with pytest.raises(DomainError) as refused:
        services.update_action(action, edit, actor=team.lead)
    assert refused.value.field == "meeting_point"
    assert "https://maps.evil.example/x" in refused.value.message
    action.refresh_from_db()
    assert action.meeting_point == MEETING_POINT


# -- what moves or stops the schedule -------------------------------------------------------


def test_a_new_start_time_moves_the_reminders(clock, beat, team, one_going):
    # Given an action in five days, reminded the day before
    action = one_going(starts_in=5 * 24 * H)
    assert action.next_message_at == action.starts_at - DAY_BEFORE

    # When an organizer moves it one day later (far from the start: it applies at once)
    new_start = action.starts_at + 24 * H
    services.update_action(
        action,
        services.ActionDetails.of(action, starts_at=new_start, ends_at=new_start + 2 * H),
        actor=team.organizer,
    )
    action.refresh_from_db()

    # Then the next message follows the new start
    assert action.next_message_at == new_start - DAY_BEFORE
    # and nothing is sent at the old time, the reminder comes at the new one
    clock.advance(days=4, minutes=1)
    beat()
    assert mail.outbox == []
    clock.advance(days=1)
    beat()
    assert len(mail.outbox) == 1
    assert reminder_keys() == [f"action.reminder:{action.pk}:day_before:{new_start.isoformat()}"]


def test_a_confirmed_late_change_moves_the_reminders(team, publish):
    action = publish()
    new_start = action.starts_at + 3 * H
    change = services.update_action(
        action,
        services.ActionDetails.of(action, starts_at=new_start, ends_at=new_start + 2 * H),
        actor=team.organizer,
    )
    assert change.is_held
    action.refresh_from_db()
    assert action.next_message_at == action.starts_at - DAY_BEFORE

    services.confirm_action_change(change, actor=team.lead)

    action.refresh_from_db()
    assert action.next_message_at == new_start - DAY_BEFORE


def test_an_action_waiting_for_approval_is_scheduled_when_approved(
    team, make_action, make_campaign, make_coordinator
):
    campaign = make_campaign()
    action = make_action(hub=team.hub, campaign=campaign, status=Action.Status.DRAFT)
    pending = services.publish_action(action, actor=team.organizer)
    assert pending.status == Action.Status.PENDING and pending.next_message_at is None

    approved = services.approve_action(pending, actor=make_coordinator(campaign))

    approved.refresh_from_db()
    assert approved.next_message_at == approved.starts_at - DAY_BEFORE


def test_a_cancelled_action_gets_no_reminder(clock, beat, team, publish, rsvp):
    action = publish()
    rsvp(action, email="going@example.org")

    services.cancel_action(action, actor=team.organizer)
    mail.outbox.clear()
    clock.advance(hours=29)
    beat()

    action.refresh_from_db()
    assert action.next_message_at is None
    assert mail.outbox == [] and reminder_keys() == []


def test_a_reminder_queued_before_a_cancellation_is_not_sent(clock, team, publish, rsvp):
    # Given a reminder queued but not yet sent
    action = publish()
    rsvp(action, email="going@example.org")
    clock.advance(hours=6, minutes=1)
    services.queue_due_reminders()
    queued = list(
        Delivery.objects.filter(message__kind="action.reminder").values_list("pk", flat=True)
    )
    assert len(queued) == 1
    mail.outbox.clear()

    # When the action is cancelled before a worker sends it
    services.cancel_action(action, actor=team.organizer)
    outbox.send_deliveries(queued)

    # Then it is skipped
    assert mail.outbox == []
    assert Delivery.objects.get(pk=queued[0]).status == Delivery.Status.SKIPPED


# -- language ---------------------------------------------------------------------------------


def test_each_reminder_is_in_its_recipients_language(clock, beat, publish, rsvp):
    action = publish(meeting_point=MEETING_POINT)
    rsvp(action, email="sara@example.org", language="fa")
    rsvp(action, email="tom@example.org", language="en")
    mail.outbox.clear()

    clock.advance(hours=28, minutes=1)
    beat()

    persian = next(m for m in mail.outbox if m.to == ["sara@example.org"])
    english = next(m for m in mail.outbox if m.to == ["tom@example.org"])
    assert "زمان" in persian.body and "When" not in persian.body
    assert re.search(r"[۰-۹]{2}:[۰-۹]{2}", persian.body)
    assert f"/fa/a/{action.public_id}/" in persian.body
    assert 'dir="rtl"' in html_of(persian) and 'lang="fa"' in html_of(persian)
    assert "When" in english.body and 'dir="ltr"' in html_of(english)
    assert f"/en/a/{action.public_id}/" in english.body


# -- the organizer's form ---------------------------------------------------------------------


def test_organizers_choose_the_reveal_and_the_second_reminder(client, login, team, established):
    from .test_manage_actions import form_data

    established(team.hub)
    login(client, team.organizer)
    form = client.get(f"/en/manage/hubs/{team.hub.public_id}/actions/new/").content.decode()
    assert 'name="reveal_lead"' in form and 'name="reminder_lead"' in form
    assert "only your hub&#x27;s organizers see it" in form
    assert "reminded the day before" in form

    response = client.post(
        f"/en/manage/hubs/{team.hub.public_id}/actions/new/",
        form_data(meeting_point=MEETING_POINT, reveal_lead="60", reminder_lead="180"),
    )

    assert response.status_code == 302
    action = Action.objects.get(title="Vigil for the prisoners")
    assert (action.reveal_lead, action.reminder_lead) == (1 * H, 3 * H)
    edit = client.get(f"/en/manage/actions/{action.public_id}/edit/").content.decode()
    assert '<option value="60" selected>' in edit and '<option value="180" selected>' in edit


def test_the_overview_says_when_the_meeting_point_is_revealed_and_reminders_go(
    client, login, team, publish
):
    action = publish(meeting_point=MEETING_POINT, reveal_lead=1 * H, reminder_lead=3 * H)
    login(client, team.organizer)

    page = client.get(f"/en/manage/actions/{action.public_id}/").content.decode()

    reveal = action.local_reveal_at.strftime("%H:%M")
    assert "Revealed to the people going at" in page and reveal in page
    assert "The day before, and 3 hours before the start." in page
