import datetime as dt

import pytest
from django.utils import timezone

from streetwave.actions.models import RSVP, Action, hub_is_on_probation
from streetwave.approvals.errors import AlreadyDecided, RequesterCannotApprove
from streetwave.approvals.models import Approval
from streetwave.audit.models import AuditEntry
from streetwave.core.errors import NotAllowed
from streetwave.hubs.models import Membership
from streetwave.outbox.models import Message
from streetwave.reportbacks import services
from streetwave.reportbacks.models import ReportBack

pytestmark = pytest.mark.django_db


def _status(action):
    action.refresh_from_db()
    return action.status


def test_a_filed_report_back_waits_for_a_second_person(world, file_report):
    # when an organizer files the report-back of an action that ended
    report_back = file_report()
    # then it is held, the action is not yet completed, and the audit says so
    assert report_back.approval == Approval.HELD
    assert report_back.requested_by == world.organizer
    assert _status(world.action) == Action.Status.PUBLISHED
    assert not ReportBack.objects.verified().exists()
    assert AuditEntry.objects.filter(verb="report_back.filed").count() == 1


def test_the_hubs_other_organizers_are_told_it_waits(world, file_report):
    # when the organizer files
    report_back = file_report()
    # then one message goes to the hub's lead, not to the filer
    message = Message.objects.get(kind="reportbacks.waiting")
    assert message.data == {"report_back": report_back.pk}
    recipients = set(message.deliveries.values_list("recipient", flat=True))
    assert recipients == {f"user:{world.lead.pk}"}


def test_the_filer_cannot_verify_their_own_report_back(world, file_report):
    report_back = file_report()
    with pytest.raises(RequesterCannotApprove):
        services.verify_report_back(report_back, actor=world.organizer)
    assert _status(world.action) == Action.Status.PUBLISHED


@pytest.mark.parametrize("second", ["lead", "sponsor_lead", "coordinator"])
def test_a_second_person_verifies_and_the_action_took_place(
    world, file_report, coordinator, second
):
    # given a held report-back saying the action took place
    report_back = file_report()
    verifier = coordinator if second == "coordinator" else getattr(world, second)
    # when a second person verifies it
    services.verify_report_back(report_back, actor=verifier)
    # then it is the action's current report-back and the action is completed
    report_back.refresh_from_db()
    assert report_back.is_current
    assert report_back.approved_by == verifier
    assert _status(world.action) == Action.Status.COMPLETED
    assert AuditEntry.objects.filter(verb="report_back.verified").count() == 1


def test_someone_outside_the_hub_its_sponsor_and_the_campaign_may_not_verify(
    world, file_report, make_hub, make_member, make_city
):
    other_lead = make_member(make_hub("Rome hub", city=make_city("Rome")), Membership.Role.LEAD)
    safety_lead = make_member(world.hub, Membership.Role.SAFETY_LEAD)
    report_back = file_report()
    for stranger in [other_lead, safety_lead]:
        with pytest.raises(NotAllowed):
            services.verify_report_back(report_back, actor=stranger)
    assert ReportBack.objects.get().is_held


def test_a_report_that_it_did_not_take_place_needs_a_reason(world, file_report):
    with pytest.raises(services.ReasonMissing):
        file_report(took_place=False, turnout=None)
    # and with one, verified, the action did not take place and has no turnout
    report_back = file_report(took_place=False, turnout=120, reason="The police closed the square.")
    assert report_back.turnout is None
    services.verify_report_back(report_back, actor=world.lead)
    assert _status(world.action) == Action.Status.NOT_HELD


def test_a_report_that_it_took_place_needs_a_turnout(file_report):
    with pytest.raises(services.TurnoutMissing):
        file_report(turnout=None)


def test_the_story_is_in_one_of_the_campaigns_languages(file_report):
    with pytest.raises(services.LanguageNotOfCampaign):
        file_report(language="nl")


def test_a_report_back_is_filed_from_the_start_until_the_window_closes(
    world, file_report, make_action, settings
):
    settings.REPORT_BACK_WINDOW = dt.timedelta(days=14)
    upcoming = make_action(hub=world.hub, starts_in=dt.timedelta(hours=1))
    long_ago = make_action(hub=world.hub, starts_in=-dt.timedelta(days=15))
    happening = make_action(hub=world.hub, starts_in=-dt.timedelta(hours=1))
    for action in [upcoming, long_ago]:
        with pytest.raises(services.OutsideReportWindow):
            file_report(action=action, language="fa")
    # while it is happening it can be filed already
    assert file_report(action=happening, language="fa").is_held


def test_a_cancelled_action_is_not_reported(world, file_report):
    Action.objects.filter(pk=world.action.pk).update(status=Action.Status.CANCELLED)
    with pytest.raises(services.NotReportable):
        file_report()


def test_a_member_may_not_file(world, file_report, make_member):
    member = make_member(world.hub, Membership.Role.MEMBER)
    with pytest.raises(NotAllowed):
        file_report(actor=member)


def test_one_report_back_waits_at_a_time_and_a_verified_one_is_corrected(world, file_report):
    first = file_report()
    with pytest.raises(services.ReportBackWaiting):
        file_report(actor=world.lead)
    services.verify_report_back(first, actor=world.lead)
    with pytest.raises(services.AlreadyReported):
        file_report(actor=world.lead)


def test_a_correction_replaces_the_verified_report_back_once_verified(world, file_report):
    # given a verified report-back: it took place, 300 people
    first = file_report()
    services.verify_report_back(first, actor=world.lead)
    # when the lead files a correction: it did not take place after all
    correction = services.correct_report_back(
        first,
        took_place=False,
        reason="Only the organizers came.",
        turnout=None,
        turnout_is_estimate=False,
        story="",
        language="en",
        actor=world.lead,
    )
    # then until it is verified, the first one stays current and the action completed
    assert ReportBack.objects.verified().get() == first
    assert _status(world.action) == Action.Status.COMPLETED
    # the lead who filed the correction cannot verify it; the organizer can
    with pytest.raises(RequesterCannotApprove):
        services.verify_report_back(correction, actor=world.lead)
    services.verify_report_back(correction, actor=world.organizer)
    # and then the correction is current, the first superseded, the action not held
    first.refresh_from_db()
    assert first.superseded_at is not None
    assert ReportBack.objects.verified().get() == correction
    assert _status(world.action) == Action.Status.NOT_HELD


def test_only_the_current_report_back_is_corrected(world, file_report):
    first = file_report()
    with pytest.raises(services.NotCurrent):
        services.correct_report_back(
            first,
            took_place=True,
            reason="",
            turnout=10,
            turnout_is_estimate=True,
            story="",
            language="en",
            actor=world.lead,
        )


def test_a_held_report_back_is_withdrawn_by_its_filer_and_decided_once(world, file_report):
    report_back = file_report()
    services.withdraw_report_back(report_back, actor=world.organizer)
    report_back.refresh_from_db()
    assert report_back.approval == Approval.WITHDRAWN
    with pytest.raises(AlreadyDecided):
        services.verify_report_back(report_back, actor=world.lead)
    # and a new one can be filed
    assert file_report().is_held


def test_a_hub_leaves_probation_when_an_action_of_it_was_verified(world, file_report):
    # given a hub whose only action ended (it no longer leaves probation by ending)
    assert hub_is_on_probation(world.hub)
    report_back = file_report()
    assert hub_is_on_probation(world.hub)
    # when a second person verifies that it took place
    services.verify_report_back(report_back, actor=world.lead)
    # then the hub is past its probation
    assert not hub_is_on_probation(world.hub)


def _rsvp(action, status=RSVP.Status.GOING):
    return RSVP.objects.create(
        action=action,
        language="en",
        consent_version="1",
        status=status,
        manage_token_hash=f"hash-{RSVP.objects.count()}",
    )


def test_i_was_there_counts_once_per_rsvp(world, file_report):
    # given a supporter going, and the held report-back
    rsvp = _rsvp(world.action)
    report_back = file_report()
    # when they say "I was there" twice
    assert services.say_i_was_there(rsvp)
    assert not services.say_i_was_there(rsvp)
    # then they count once, and their RSVP says attended
    rsvp.refresh_from_db()
    assert rsvp.status == RSVP.Status.ATTENDED
    report_back.refresh_from_db()
    assert report_back.attended_count == 1


def test_i_was_there_before_the_report_back_is_counted_when_it_is_filed(world, file_report):
    for _ in range(2):
        assert services.say_i_was_there(_rsvp(world.action))
    assert file_report().attended_count == 2


def test_i_was_there_only_for_the_going_and_once_the_action_began(world, make_action):
    waitlisted = _rsvp(world.action, RSVP.Status.WAITLISTED)
    upcoming = _rsvp(make_action(hub=world.hub, starts_in=dt.timedelta(hours=2)))
    assert not services.say_i_was_there(waitlisted)
    assert not services.say_i_was_there(upcoming)
    assert not RSVP.objects.filter(status=RSVP.Status.ATTENDED).exists()


def test_an_organizer_checks_an_rsvp_in(world, file_report):
    rsvp = _rsvp(world.action)
    assert services.check_in(rsvp, actor=world.organizer)
    assert not services.check_in(rsvp, actor=world.organizer)
    assert file_report().attended_count == 1
    with pytest.raises(NotAllowed):
        services.check_in(_rsvp(world.action), actor=world.sponsor_lead)


def test_the_verification_time_is_recorded(world, file_report):
    before = timezone.now()
    report_back = services.verify_report_back(file_report(), actor=world.lead)
    assert report_back.approved_at >= before


def test_the_mail_names_the_action_and_the_page_in_the_readers_language(
    world, file_report, django_capture_on_commit_callbacks, mailoutbox
):
    # given a lead who reads Persian
    world.lead.language = "fa"
    world.lead.save(update_fields=["language"])
    # when the organizer files and the outbox sends
    with django_capture_on_commit_callbacks(execute=True):
        report_back = file_report()
    # then the lead gets one mail, in Persian, with the page to verify it
    [sent] = mailoutbox
    assert sent.to == [world.lead.email]
    assert f"/fa/manage/report-backs/{report_back.public_id}/" in sent.body
    assert world.action.title in sent.subject
