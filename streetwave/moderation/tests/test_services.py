"""Moderation's services: reports, takedowns (at once, or held for a second coordinator above
the threshold), the suspension and reinstatement of a hub, and hub flags. Only the mail server
is replaced (Django's in-memory outbox)."""

import datetime as dt

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from streetwave.accounts.models import UserSession
from streetwave.actions.models import Action
from streetwave.approvals.errors import AlreadyDecided, RequesterCannotApprove
from streetwave.approvals.models import Approval
from streetwave.audit.models import AuditEntry
from streetwave.audit.services import erase_expired_personal_data
from streetwave.campaigns.tally import compute_tally
from streetwave.core.errors import DomainError, NotAllowed
from streetwave.hubs.models import Hub, Membership
from streetwave.hubs.permissions import can
from streetwave.hubs.tree import hub_tree_for
from streetwave.moderation import services
from streetwave.moderation.models import MODERATION_APPROVAL_THRESHOLD, HubFlag, Report, Takedown
from streetwave.moderation.queries import open_flags

pytestmark = pytest.mark.django_db


def _verbs():
    return list(AuditEntry.objects.order_by("pk").values_list("verb", flat=True))


# -- reports -----------------------------------------------------------------------------------


def test_a_report_keeps_its_contact_encrypted_at_rest(action):
    # Given a visitor who wants to be contacted
    # When they report the action
    report = services.report_action(
        action,
        kind=Report.Kind.FAKE,
        text="  Nobody in the hub knows this place.  ",
        contact="reporter-canary@example.org",
        wants_contact=True,
    )
    # Then the report is stored, and its contact column holds no plaintext
    report.refresh_from_db()
    assert report.text == "Nobody in the hub knows this place."
    assert report.contact == "reporter-canary@example.org"
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact FROM moderation_report WHERE id = %s", [report.pk])
        (raw,) = cursor.fetchone()
    assert raw and "reporter-canary" not in raw
    assert "report.created" in _verbs()


@pytest.mark.parametrize(
    ("contact", "wants_contact"), [("", True), ("reporter@example.org", False)]
)
def test_a_report_keeps_a_contact_only_when_asked_to_contact(action, contact, wants_contact):
    # Given a contact without the wish to be contacted, or the wish without a contact
    # When the visitor reports / Then it is refused on the contact field, and nothing is kept
    with pytest.raises(DomainError) as refused:
        services.report_action(
            action, kind="other", text="Odd.", contact=contact, wants_contact=wants_contact
        )
    assert refused.value.field == "contact"
    assert not Report.objects.exists()


def test_a_report_needs_a_kind_and_a_text(action):
    with pytest.raises(DomainError) as no_kind:
        services.report_action(action, kind="spam", text="Odd.")
    with pytest.raises(DomainError) as no_text:
        services.report_action(action, kind="other", text="   ")
    assert (no_kind.value.field, no_text.value.field) == ("kind", "text")


def test_a_coordinator_marks_a_report_handled_once(action, coordinator, organizer):
    report = services.report_action(action, kind="other", text="Odd.")
    # A hub organizer is no moderator
    with pytest.raises(NotAllowed):
        services.mark_report_handled(report, actor=organizer)
    handled = services.mark_report_handled(report, actor=coordinator)
    assert handled.handled_by == coordinator and handled.handled_at is not None
    with pytest.raises(services.AlreadyHandled):
        services.mark_report_handled(report, actor=coordinator)


def test_old_report_contacts_are_erased(action, coordinator):
    # Given a report handled 31 days ago, and one still open
    old = services.report_action(
        action, kind="other", text="Odd.", contact="old@example.org", wants_contact=True
    )
    fresh = services.report_action(
        action, kind="other", text="Odd.", contact="new@example.org", wants_contact=True
    )
    services.mark_report_handled(old, actor=coordinator)
    Report.objects.filter(pk=old.pk).update(handled_at=timezone.now() - dt.timedelta(days=31))
    # When retention runs
    erased = erase_expired_personal_data()
    # Then only the old one's contact is gone, and its text stays with the report
    assert erased["moderation.Report"] == 1
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.contact, old.wants_contact, old.text) == ("", False, "Odd.")
    assert fresh.contact == "new@example.org"


def test_unhandled_report_contacts_are_erased_after_90_days(action):
    # Given an unhandled report 91 days old, and one 89 days old
    old, young = (
        services.report_action(
            action, kind="other", text="Odd.", contact=f"{n}@example.org", wants_contact=True
        )
        for n in ("old", "young")
    )
    for report, days in ((old, 91), (young, 89)):
        Report.objects.filter(pk=report.pk).update(
            created_at=timezone.now() - dt.timedelta(days=days)
        )
    # When retention runs
    erase_expired_personal_data()
    # Then only the older contact is gone
    old.refresh_from_db()
    young.refresh_from_db()
    assert (old.contact, young.contact) == ("", "young@example.org")


# -- taking an action down -----------------------------------------------------------------------


def test_taking_down_tells_its_people_in_their_language(
    action, coordinator, rsvp_to, django_capture_on_commit_callbacks
):
    # Given people going in English and in Persian
    en = rsvp_to(action, 1, language="en")[0]
    fa = rsvp_to(action, 1, language="fa")[0]
    mail.outbox = []
    # When a coordinator takes the action down as fake
    with django_capture_on_commit_callbacks(execute=True):
        takedown = services.take_down_action(
            action, reason=Takedown.Reason.FAKE, note="Staged by a troll.", actor=coordinator
        )
    # Then it is applied at once, nobody had to approve it, and it is removed
    assert takedown.approval == Approval.APPROVED and takedown.approved_by is None
    action.refresh_from_db()
    assert action.status == Action.Status.REMOVED
    assert action.next_message_at is None
    # and each person is told, in their language, with the reason
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {en, fa}
    assert "It appears to be fake or misleading." in by_address[en].body
    assert "Rally for freedom" in by_address[en].subject
    assert "Removed" in by_address[en].subject
    assert 'lang="en"' in by_address[en].alternatives[0][0]
    assert 'lang="fa" dir="rtl"' in by_address[fa].alternatives[0][0]
    # The note stays on the takedown: never in a mail, never in the log
    assert all("troll" not in message.body for message in mail.outbox)
    assert not AuditEntry.objects.filter(data__icontains="troll").exists()
    assert "action.taken_down" in _verbs()


def test_a_takedown_is_for_the_coordinators_of_the_action(
    action, organizer, lead, make_campaign, make_coordinator
):
    other = make_coordinator(make_campaign("other"))
    for who in (organizer, lead, other):
        with pytest.raises(NotAllowed):
            services.take_down_action(action, reason="fake", actor=who)
    action.refresh_from_db()
    assert action.status == Action.Status.PUBLISHED


def test_a_draft_cannot_be_taken_down(campaign, hub, make_action, coordinator):
    draft = make_action(hub=hub, campaign=campaign, status=Action.Status.DRAFT)
    with pytest.raises(services.NotTakenDown):
        services.take_down_action(draft, reason="fake", actor=coordinator)


def test_a_takedown_that_tells_many_waits_for_a_second_coordinator(
    action, coordinator, second_coordinator, rsvp_to, django_capture_on_commit_callbacks
):
    # Given more people going than the threshold
    rsvp_to(action, MODERATION_APPROVAL_THRESHOLD + 1)
    mail.outbox = []
    # When a coordinator takes the action down
    takedown = services.take_down_action(action, reason="unsafe", actor=coordinator)
    # Then it is held: the action stays, nobody is told
    assert takedown.is_held and takedown.recipients == MODERATION_APPROVAL_THRESHOLD + 1
    action.refresh_from_db()
    assert action.status == Action.Status.PUBLISHED
    assert mail.outbox == []
    # A second takedown of the same action is refused while one is held
    with pytest.raises(services.AlreadyHeld):
        services.take_down_action(action, reason="fake", actor=second_coordinator)
    # The requester cannot approve it
    with pytest.raises(RequesterCannotApprove):
        services.approve_takedown(takedown, actor=coordinator)
    # A second coordinator can: the action is removed and its people told
    with django_capture_on_commit_callbacks(execute=True):
        approved = services.approve_takedown(takedown, actor=second_coordinator)
    assert approved.approved_by == second_coordinator
    action.refresh_from_db()
    assert action.status == Action.Status.REMOVED
    assert len(mail.outbox) == MODERATION_APPROVAL_THRESHOLD + 1
    with pytest.raises(AlreadyDecided):
        services.approve_takedown(takedown, actor=second_coordinator)
    assert "takedown.held" in _verbs() and "takedown.approved" in _verbs()


def test_a_held_takedown_withdrawn_takes_nothing_down(action, coordinator, organizer, rsvp_to):
    rsvp_to(action, MODERATION_APPROVAL_THRESHOLD + 1)
    takedown = services.take_down_action(action, reason="unsafe", actor=coordinator)
    with pytest.raises(NotAllowed):
        services.withdraw_takedown(takedown, actor=organizer)
    # The requester may withdraw their own
    withdrawn = services.withdraw_takedown(takedown, actor=coordinator)
    assert withdrawn.approval == Approval.WITHDRAWN
    action.refresh_from_db()
    assert action.status == Action.Status.PUBLISHED


# -- suspending a hub ----------------------------------------------------------------------------


def test_suspending_a_hub_takes_its_actions_down_and_locks_its_organizers_out(
    campaign,
    hub,
    action,
    organizer,
    coordinator,
    make_action,
    rsvp_to,
    login,
    django_capture_on_commit_callbacks,
):
    # Given a hub with a published action (people going) and a completed one, and an organizer
    # signed in on the hub's page
    rsvp_to(action, 2)
    completed = make_action(hub=hub, campaign=campaign, status=Action.Status.COMPLETED)
    client = Client()
    login(client, organizer)
    manage_hub = reverse("hubs:manage_hub", args=[hub.public_id])
    assert client.get(manage_hub).status_code == 200
    mail.outbox = []
    # When a coordinator suspends the hub
    with django_capture_on_commit_callbacks(execute=True):
        takedown = services.suspend_hub(hub, reason="fake", actor=coordinator)
    # Then the hub is suspended, its published action removed and its people told
    assert takedown.is_approved
    hub.refresh_from_db()
    action.refresh_from_db()
    completed.refresh_from_db()
    assert hub.status == Hub.Status.SUSPENDED
    assert action.status == Action.Status.REMOVED
    assert len(mail.outbox) == 2
    # its completed action keeps its status but is public nowhere while the hub is suspended
    assert completed.status == Action.Status.COMPLETED
    assert not Action.objects.public().filter(hub=hub).exists()
    # the tally and the coordinators' hub tree count it no more
    tally = compute_tally(campaign)
    assert tally["actions"] == tally["completed"] == tally["hubs"] == 0
    assert hub_tree_for(campaign).taking_part == 0
    # its organizer's session has ended and its pages are a 404 to them
    assert not UserSession.objects.open().filter(user=organizer).exists()
    assert not can(organizer, "can_view_hub_dashboard", hub)
    login(client, organizer)
    assert client.get(manage_hub).status_code == 404
    # it is hidden from the public
    assert Client().get(reverse("hubs:detail", args=[hub.public_id])).status_code == 404
    assert {"hub.suspended", "action.taken_down", "session.all_ended"} <= set(_verbs())


def test_reinstating_a_hub_gives_its_pages_back_but_not_its_removed_actions(
    campaign, hub, action, organizer, coordinator, make_action
):
    completed = make_action(hub=hub, campaign=campaign, status=Action.Status.COMPLETED)
    services.suspend_hub(hub, reason="fake", actor=coordinator)
    with pytest.raises(services.AlreadySuspended):
        services.suspend_hub(hub, reason="fake", actor=coordinator)
    # When a coordinator reinstates it
    services.reinstate_hub(hub, actor=coordinator)
    hub.refresh_from_db()
    action.refresh_from_db()
    # Then it is active, its organizers reach it, its completed action is public again, and
    # the action taken down stays removed
    assert hub.status == Hub.Status.ACTIVE
    assert can(organizer, "can_view_hub_dashboard", hub)
    assert Action.objects.public().filter(pk=completed.pk).exists()
    assert action.status == Action.Status.REMOVED
    with pytest.raises(services.NotSuspended):
        services.reinstate_hub(hub, actor=coordinator)
    assert "hub.reinstated" in _verbs()


def test_a_suspension_that_tells_many_waits_for_a_second_coordinator(
    hub, action, organizer, coordinator, second_coordinator, rsvp_to
):
    rsvp_to(action, MODERATION_APPROVAL_THRESHOLD + 1)
    takedown = services.suspend_hub(hub, reason="fake", actor=coordinator)
    hub.refresh_from_db()
    assert takedown.is_held and hub.status == Hub.Status.ACTIVE
    assert can(organizer, "can_view_hub_dashboard", hub)
    with pytest.raises(RequesterCannotApprove):
        services.approve_takedown(takedown, actor=coordinator)
    services.approve_takedown(takedown, actor=second_coordinator)
    hub.refresh_from_db()
    assert hub.status == Hub.Status.SUSPENDED
    assert not can(organizer, "can_view_hub_dashboard", hub)


def test_only_coordinators_overseeing_the_hub_suspend_it(
    hub, action, lead, make_campaign, make_coordinator
):
    other = make_coordinator(make_campaign("other"))
    for who in (lead, other):
        with pytest.raises(NotAllowed):
            services.suspend_hub(hub, reason="fake", actor=who)


# -- flags -------------------------------------------------------------------------------------


def test_a_lead_flags_another_hub_for_the_coordinators_of_its_campaigns(
    hub, action, coordinator, make_hub, make_member, make_city
):
    # Given the lead of another hub
    paris = make_hub("Paris hub", city=make_city("Paris", country="FR", lat=48.85, lon=2.35))
    paris_lead = make_member(paris, Membership.Role.LEAD)
    # When they flag the hub that answered the campaign
    flag = services.flag_hub(hub, by_hub=paris, reason="Nobody has met them.", actor=paris_lead)
    # Then it is in the campaign's coordinators' queue
    assert list(open_flags(coordinator)) == [flag]
    # once per hub until handled
    with pytest.raises(services.AlreadyFlagged):
        services.flag_hub(hub, by_hub=paris, reason="Again.", actor=paris_lead)
    services.mark_flag_handled(flag, actor=coordinator)
    assert list(open_flags(coordinator)) == []
    assert HubFlag.objects.get().handled_by == coordinator


def test_only_a_lead_flags_and_never_their_own_hub(hub, lead, organizer, make_hub, make_city):
    paris = make_hub("Paris hub", city=make_city("Paris", country="FR", lat=48.85, lon=2.35))
    with pytest.raises(NotAllowed):
        services.flag_hub(paris, by_hub=hub, reason="Odd.", actor=organizer)
    with pytest.raises(DomainError):
        services.flag_hub(hub, by_hub=hub, reason="Odd.", actor=lead)
    assert not HubFlag.objects.exists()
