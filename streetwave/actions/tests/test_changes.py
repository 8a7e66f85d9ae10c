"""Late changes need a second organizer; every applied change and every cancellation is told to
the people coming and shown on the public page."""

import datetime as dt

import pytest
from django.core import mail

from streetwave.actions import services
from streetwave.actions.models import RSVP, Action, ActionChange
from streetwave.approvals.models import Approval
from streetwave.audit.models import AuditEntry
from streetwave.core.errors import Conflict, NotAllowed
from streetwave.outbox.models import Delivery
from streetwave.outbox.services import queue_message

pytestmark = pytest.mark.django_db

CANARIES = ["going-fa@example.org", "waiting-en@example.org", "cancelled@example.org"]


@pytest.fixture
def crowd(rsvp):
    """Five RSVPs: two live with a contact (one in Persian, one waitlisted), one cancelled with a
    contact, two without any contact."""

    def make(action):
        rsvp(action, pseudonym="Shirin", email="going-fa@example.org", language="fa")
        rsvp(action, pseudonym="Anonymous one")
        rsvp(action, pseudonym="Omid", email="waiting-en@example.org")
        rsvp(action)
        rsvp(action, email="cancelled@example.org")
        services.cancel_rsvp(RSVP.objects.exclude(contact_index="").get(pseudonym=""))
        mail.outbox.clear()
        action.refresh_from_db()
        return action

    return make


def assert_private_mails(outbox, expected_recipients):
    """One recipient per mail, only the expected ones, nobody's address in anyone else's mail,
    and no Reply-To through which replies could reach a person."""
    assert sorted(m.to[0] for m in outbox) == sorted(expected_recipients)
    for message in outbox:
        assert len(message.to) == 1 and not message.cc and not message.bcc
        assert not message.reply_to
        raw = message.message()
        assert raw["Reply-To"] is None
        headers = "\n".join(f"{name}: {value}" for name, value in raw.items())
        others = [address for address in CANARIES if address != message.to[0]]
        assert not any(address in headers or address in message.body for address in others)


@pytest.fixture
def late_action(make_action, team, crowd):
    return crowd(make_action(hub=team.hub, capacity=1, starts_in=dt.timedelta(hours=24)))


@pytest.fixture
def held_change(team, late_action):
    """Organizer A moves the late action to another place: a change held for a second person."""
    return services.update_action(
        late_action,
        services.ActionDetails.of(late_action, place="Potsdamer Platz"),
        actor=team.organizer,
    )


def test_a_late_change_of_place_waits_for_a_second_organizer(
    client, login, team, late_action, django_capture_on_commit_callbacks
):
    # Given a published action tomorrow, with RSVPs
    action = late_action
    # When organizer A moves it
    with django_capture_on_commit_callbacks(execute=True):
        change = services.update_action(
            action, services.ActionDetails.of(action, place="Potsdamer Platz"), actor=team.organizer
        )
    # Then the change is held: the action keeps its place, nobody is told, the page is unchanged
    assert change.is_held
    action.refresh_from_db()
    assert action.place == "Alexanderplatz"
    assert mail.outbox == []
    page = client.get(f"/en/a/{action.public_id}/").content.decode()
    assert "Potsdamer Platz" not in page and "has changed" not in page
    assert AuditEntry.objects.filter(verb="action.change_held").exists()


def test_the_requester_cannot_confirm_their_own_late_change(team, held_change):
    with pytest.raises(NotAllowed):
        services.confirm_action_change(held_change, actor=team.organizer)
    held_change.refresh_from_db()
    assert held_change.is_held


def test_the_requester_sees_no_confirm_button_and_posting_changes_nothing(
    client, login, team, late_action, held_change
):
    login(client, team.organizer)
    page = client.get(f"/en/manage/actions/{late_action.public_id}/").content.decode()
    assert f"/en/manage/changes/{held_change.public_id}/confirm/" not in page
    response = client.post(f"/en/manage/changes/{held_change.public_id}/confirm/", follow=True)
    assert "you asked for it yourself" in response.content.decode()
    held_change.refresh_from_db()
    assert held_change.is_held


def test_a_second_organizer_confirms_and_everyone_coming_with_a_contact_is_told(
    client, login, team, late_action, django_capture_on_commit_callbacks
):
    # Given a late change held for confirmation
    action = late_action
    old_start = action.local_start
    new_start = action.starts_at + dt.timedelta(hours=1)
    change = services.update_action(
        action,
        services.ActionDetails.of(
            action,
            starts_at=new_start,
            ends_at=new_start + dt.timedelta(hours=2),
            place="Potsdamer Platz",
        ),
        actor=team.organizer,
    )
    # When the lead, a second organizer, confirms it through the page
    login(client, team.lead)
    page = client.get(f"/en/manage/actions/{action.public_id}/").content.decode()
    assert f"/en/manage/changes/{change.public_id}/confirm/" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/en/manage/changes/{change.public_id}/confirm/")
    # Then it applies
    action.refresh_from_db()
    change.refresh_from_db()
    assert (action.place, action.starts_at) == ("Potsdamer Platz", new_start)
    assert change.approval == Approval.APPROVED and change.approved_by == team.lead
    # and exactly the live RSVPs with a contact get one private mail each, in their language
    assert len(mail.outbox) == 2
    assert_private_mails(mail.outbox, ["going-fa@example.org", "waiting-en@example.org"])
    english = next(m for m in mail.outbox if m.to == ["waiting-en@example.org"])
    assert "Potsdamer Platz" in english.body and "Alexanderplatz" in english.body
    assert f"/en/a/{action.public_id}/" in english.body
    persian = next(m for m in mail.outbox if m.to == ["going-fa@example.org"])
    assert f"/fa/a/{action.public_id}/" in persian.body
    # and the public page shows before and after (public facts only)
    page = client.get(f"/en/a/{action.public_id}/").content.decode()
    assert "has changed" in page
    assert "<del>Alexanderplatz</del>" in page and "<ins>Potsdamer Platz</ins>" in page
    assert old_start.strftime("%H:%M") in page
    assert AuditEntry.objects.filter(verb="action.change_confirmed", actor=team.lead).exists()


def test_a_change_far_from_the_start_applies_at_once_and_is_told(
    client, team, make_action, crowd, django_capture_on_commit_callbacks
):
    action = crowd(make_action(hub=team.hub, capacity=1, starts_in=dt.timedelta(days=5)))
    with django_capture_on_commit_callbacks(execute=True):
        change = services.update_action(
            action, services.ActionDetails.of(action, place="Potsdamer Platz"), actor=team.organizer
        )
    assert change.approval == Approval.APPROVED
    action.refresh_from_db()
    assert action.place == "Potsdamer Platz"
    assert_private_mails(mail.outbox, ["going-fa@example.org", "waiting-en@example.org"])
    assert "<ins>Potsdamer Platz</ins>" in client.get(f"/en/a/{action.public_id}/").content.decode()


def test_moving_an_action_into_the_next_48_hours_is_held_too(team, make_action):
    action = make_action(hub=team.hub, starts_in=dt.timedelta(days=5))
    tomorrow = action.starts_at - dt.timedelta(days=4)
    change = services.update_action(
        action,
        services.ActionDetails.of(
            action, starts_at=tomorrow, ends_at=tomorrow + dt.timedelta(hours=2)
        ),
        actor=team.organizer,
    )
    assert change.is_held


def test_other_edits_of_a_late_action_apply_at_once_without_mail(
    team, late_action, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        change = services.update_action(
            late_action,
            services.ActionDetails.of(late_action, title="Rally, bring water"),
            actor=team.organizer,
        )
    assert change is None
    late_action.refresh_from_db()
    assert late_action.title == "Rally, bring water" and late_action.changed_at is None
    assert mail.outbox == []


def test_a_second_late_change_waits_for_the_first(team, late_action, held_change):
    with pytest.raises(Conflict):
        services.update_action(
            late_action,
            services.ActionDetails.of(late_action, place="Rosa-Luxemburg-Platz"),
            actor=team.lead,
        )


def test_a_held_change_can_be_withdrawn(client, login, team, late_action, held_change):
    login(client, team.lead)
    client.post(f"/en/manage/changes/{held_change.public_id}/withdraw/")
    held_change.refresh_from_db()
    late_action.refresh_from_db()
    assert held_change.approval == Approval.WITHDRAWN
    assert late_action.place == "Alexanderplatz"


def test_a_change_is_not_confirmed_once_the_action_moved_otherwise(team, late_action, held_change):
    Action.objects.filter(pk=late_action.pk).update(place="Somewhere else")
    with pytest.raises(Conflict):
        services.confirm_action_change(held_change, actor=team.lead)


def test_a_safety_lead_cannot_confirm_a_late_change(client, login, team, held_change):
    login(client, team.safety_lead)
    response = client.post(f"/en/manage/changes/{held_change.public_id}/confirm/")
    assert response.status_code == 404
    held_change.refresh_from_db()
    assert held_change.is_held


def test_cancelling_tells_everyone_coming_and_the_page_says_so(
    client, login, team, late_action, held_change, django_capture_on_commit_callbacks
):
    # Given a published action with RSVPs and a held change
    login(client, team.organizer)
    # When an organizer cancels it
    assert client.get(f"/en/manage/actions/{late_action.public_id}/cancel/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/en/manage/actions/{late_action.public_id}/cancel/")
    # Then the action is cancelled, the held change withdrawn, and the live RSVPs told
    late_action.refresh_from_db()
    assert late_action.status == Action.Status.CANCELLED
    assert not ActionChange.objects.filter(approval=Approval.HELD).exists()
    assert_private_mails(mail.outbox, ["going-fa@example.org", "waiting-en@example.org"])
    assert all("cancelled" in m.subject.lower() or "لغو" in m.subject for m in mail.outbox)
    page = client.get(f"/en/a/{late_action.public_id}/").content.decode()
    assert "This action has been cancelled." in page


def test_only_a_published_action_can_be_cancelled(team, make_action):
    draft = make_action(hub=team.hub, status=Action.Status.DRAFT)
    with pytest.raises(Conflict):
        services.cancel_action(draft, actor=team.organizer)
    draft.refresh_from_db()
    # A cancelled draft would become public: it stays a draft.
    assert draft.status == Action.Status.DRAFT


def test_a_notice_for_an_rsvp_no_longer_live_is_skipped(
    team, late_action, django_capture_on_commit_callbacks
):
    services.cancel_action(late_action, actor=team.organizer)
    mail.outbox.clear()
    cancelled = RSVP.objects.get(contact_index__gt="", status="cancelled")
    with django_capture_on_commit_callbacks(execute=True):
        message = queue_message("action.cancelled", [f"rsvp:{cancelled.pk}"])
    assert mail.outbox == []
    assert message.deliveries.get().status == Delivery.Status.SKIPPED
