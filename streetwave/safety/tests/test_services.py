"""The services of incidents: reporting (who may, when, what is kept), the states with who and
when, the note log, the high-severity alert (one mail per safety recipient), and retention."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from streetwave.actions.models import Action
from streetwave.audit.models import AuditEntry
from streetwave.audit.services import erase_expired_personal_data
from streetwave.core.errors import DomainError, NotAllowed
from streetwave.outbox.models import Delivery, Message
from streetwave.safety import services
from streetwave.safety.models import Incident, IncidentNote, SafetyRole

from .conftest import SUPPORTER_EMAIL, SUPPORTER_PSEUDONYM, run_now

pytestmark = pytest.mark.django_db

HIGH = Incident.Severity.HIGH


def _report(action, **overrides):
    fields = {
        "kind": Incident.Kind.POLICE,
        "severity": Incident.Severity.MEDIUM,
        "text": "Police kettling the north side of the square.",
        "source": Incident.Source.PUBLIC,
        **overrides,
    }
    return services.report_incident(action, **fields)


# -- reporting --------------------------------------------------------------------------------


def test_anyone_reports_an_incident_while_the_action_runs(action):
    # when someone at the action reports from the public form
    incident = _report(action, contact="me@example.org", wants_contact=True)
    # then it is new, keeps its text and contact, and the log names neither
    stored = Incident.objects.get(pk=incident.pk)
    assert stored.state == Incident.State.NEW
    assert stored.text.startswith("Police kettling")
    assert stored.contact == "me@example.org"
    entry = AuditEntry.objects.get(verb="incident.reported")
    assert entry.data == {
        "action": action.public_id,
        "kind": "police",
        "severity": "medium",
        "source": "public",
    }
    assert "kettling" not in str(entry.data) and "me@example.org" not in str(entry.data)


def test_a_contact_is_kept_only_when_asked_for(action):
    with pytest.raises(DomainError) as refused:
        _report(action, contact="me@example.org", wants_contact=False)
    assert refused.value.field == "contact"
    with pytest.raises(DomainError):
        _report(action, wants_contact=True)
    assert not Incident.objects.exists()


def test_reporting_opens_at_the_start_and_closes_a_day_after_the_end(upcoming, settings):
    # given an action that has not started
    with pytest.raises(services.ReportingClosed):
        _report(upcoming)
    # when it ended 23 hours ago, it is still open; 25 hours ago, closed
    run_now(upcoming, started=dt.timedelta(hours=25))
    assert _report(upcoming).pk
    run_now(upcoming, started=dt.timedelta(hours=27))
    with pytest.raises(services.ReportingClosed):
        _report(upcoming)
    assert Incident.objects.count() == 1


def test_a_cancelled_action_takes_no_incident(action):
    Action.objects.filter(pk=action.pk).update(status=Action.Status.CANCELLED)
    with pytest.raises(services.ReportingClosed):
        _report(action)


def test_a_time_in_the_future_is_refused(action):
    with pytest.raises(DomainError) as refused:
        _report(action, happened_at=timezone.now() + dt.timedelta(hours=1))
    assert refused.value.field == "happened_at"


def test_the_text_is_required_and_short(action):
    with pytest.raises(DomainError):
        _report(action, text="   ")
    with pytest.raises(DomainError):
        _report(action, text="x" * 1001)


def test_an_organizer_reports_as_themselves_a_stranger_may_not(action, member, make_user):
    # a member of the hub holds can_report_incident
    incident = _report(action, source=Incident.Source.ORGANIZER, actor=member)
    assert incident.reported_by == member
    # someone with no role in the hub may not report as an organizer
    with pytest.raises(NotAllowed):
        _report(action, source=Incident.Source.ORGANIZER, actor=make_user())


def test_a_supporter_reports_through_their_rsvp(action, rsvp, make_action, hub):
    incident = _report(action, source=Incident.Source.SUPPORTER, rsvp=rsvp)
    assert incident.reporter_rsvp == rsvp and incident.reported_by is None
    # an RSVP of another action is refused
    other = run_now(make_action(hub=hub, title="Another"))
    with pytest.raises(NotAllowed):
        _report(other, source=Incident.Source.SUPPORTER, rsvp=rsvp)


def test_a_supporter_who_holds_a_safety_role_reports_as_its_holder(action, rsvp, organizer):
    # given the supporter confirmed as the action's medic
    SafetyRole.objects.create(
        action=action,
        kind=SafetyRole.Kind.MEDIC,
        rsvp=rsvp,
        state=SafetyRole.State.CONFIRMED,
        confirmed_by=organizer,
        confirmed_at=timezone.now(),
    )
    # when they report from their link
    incident = _report(action, source=Incident.Source.SUPPORTER, rsvp=rsvp)
    # then the incident says a role holder reported it
    assert incident.source == Incident.Source.ROLE_HOLDER and incident.reporter_rsvp == rsvp


# -- states and notes -------------------------------------------------------------------------


def test_an_incident_is_acknowledged_then_resolved_with_who_and_when(action, organizer, lead):
    incident = _report(action)
    acknowledged = services.acknowledge_incident(incident, actor=organizer)
    assert acknowledged.state == Incident.State.ACKNOWLEDGED
    assert acknowledged.acknowledged_by == organizer and acknowledged.acknowledged_at
    with pytest.raises(services.AlreadyAcknowledged):
        services.acknowledge_incident(incident, actor=lead)
    resolved = services.resolve_incident(incident, actor=lead)
    assert resolved.state == Incident.State.RESOLVED
    assert resolved.resolved_by == lead and resolved.acknowledged_by == organizer
    with pytest.raises(services.AlreadyResolved):
        services.resolve_incident(incident, actor=lead)
    with pytest.raises(services.AlreadyResolved):
        services.acknowledge_incident(incident, actor=lead)
    verbs = list(
        AuditEntry.objects.filter(verb__startswith="incident.").values_list("verb", flat=True)
    )
    assert sorted(verbs) == ["incident.acknowledged", "incident.reported", "incident.resolved"]


def test_resolving_a_new_incident_acknowledges_it_too(action, safety_coordinator):
    incident = _report(action)
    resolved = services.resolve_incident(incident, actor=safety_coordinator)
    assert resolved.acknowledged_by == safety_coordinator
    assert resolved.acknowledged_at == resolved.resolved_at


def test_only_those_who_handle_incidents_change_them(action, member, make_user):
    incident = _report(action)
    for outsider in (member, make_user()):
        with pytest.raises(NotAllowed):
            services.acknowledge_incident(incident, actor=outsider)
        with pytest.raises(NotAllowed):
            services.resolve_incident(incident, actor=outsider)
        with pytest.raises(NotAllowed):
            services.add_incident_note(incident, text="On it", actor=outsider)
    assert Incident.objects.get(pk=incident.pk).state == Incident.State.NEW


def test_notes_are_a_log(action, organizer, coordinator):
    incident = _report(action)
    services.add_incident_note(incident, text="Two marshals sent.", actor=organizer)
    services.add_incident_note(incident, text="Police left.", actor=coordinator)
    assert list(incident.notes.values_list("text", "author")) == [
        ("Two marshals sent.", organizer.pk),
        ("Police left.", coordinator.pk),
    ]
    with pytest.raises(DomainError):
        services.add_incident_note(incident, text=" ", actor=organizer)


# -- the high-severity alert ------------------------------------------------------------------


def test_a_high_incident_mails_each_safety_recipient_once(
    action,
    campaign,
    hub,
    safety_lead,
    safety_coordinator,
    make_member,
    make_safety_coordinator,
    make_campaign,
    organizer,
    coordinator,
    django_capture_on_commit_callbacks,
):
    # given a person who is both the hub's safety lead and a safety coordinator of the campaign,
    # and a safety coordinator of another campaign
    both = make_member(hub, role="safety_lead")
    make_safety_coordinator(campaign, user=both)
    make_safety_coordinator(make_campaign("elsewhere"))
    # when a high-severity incident is reported
    with django_capture_on_commit_callbacks(execute=True):
        incident = _report(action, severity=HIGH, text="SECRET-TEXT-9 someone hurt")
    # then one message, one delivery per safety recipient, nobody twice
    message = Message.objects.get(kind="safety.incident_alert")
    recipients = sorted(
        Delivery.objects.filter(message=message).values_list("recipient", flat=True)
    )
    assert recipients == sorted(
        f"user:{user.pk}" for user in (safety_lead, safety_coordinator, both)
    )
    # and the mails say kind, severity, action and link, never the text
    sent = sorted(mail.outbox, key=lambda m: m.to[0])
    assert sorted(m.to[0] for m in sent) == sorted(
        u.email for u in (safety_lead, safety_coordinator, both)
    )
    for one in sent:
        assert "SECRET-TEXT-9" not in one.body and "SECRET-TEXT-9" not in one.subject
        assert "Rally for freedom" in one.body and "Police" in one.body
        assert f"/manage/incidents/{incident.public_id}/" in one.body


def test_the_alert_mail_is_plain_text_not_html(
    action, safety_lead, django_capture_on_commit_callbacks
):
    # given an action whose title holds characters HTML would escape
    Action.objects.filter(pk=action.pk).update(title='Rally "Women & Freedom"')
    action.refresh_from_db()
    # when a high-severity incident is reported there
    with django_capture_on_commit_callbacks(execute=True):
        _report(action, severity=HIGH)
    # then the mail shows the title as it is written
    (sent,) = mail.outbox
    assert 'Rally "Women & Freedom"' in sent.subject
    assert 'Rally "Women & Freedom"' in sent.body
    assert "&amp;" not in sent.body and "&quot;" not in sent.body


def test_a_lower_incident_mails_nobody(action, safety_lead, safety_coordinator):
    _report(action, severity=Incident.Severity.MEDIUM)
    assert not Message.objects.filter(kind="safety.incident_alert").exists()
    assert mail.outbox == []


# -- retention --------------------------------------------------------------------------------


def test_texts_contacts_and_notes_go_after_the_retention_period(action, organizer, rsvp, settings):
    settings.INCIDENT_RETENTION_DAYS = 90
    resolved = _report(action, contact="me@example.org", wants_contact=True)
    services.add_incident_note(resolved, text="Handled.", actor=organizer)
    services.resolve_incident(resolved, actor=organizer)
    open_one = _report(action, source=Incident.Source.SUPPORTER, rsvp=rsvp)
    # a day before the period ends, nothing goes
    soon = timezone.now() + dt.timedelta(days=89)
    assert "safety.Incident" not in erase_expired_personal_data(now=soon)
    # after it, both go (one resolved, the other of an action that ended), counts stay
    later = timezone.now() + dt.timedelta(days=91)
    erased = erase_expired_personal_data(now=later)
    assert (erased["safety.Incident"], erased["safety.IncidentNote"]) == (2, 1)
    for incident in Incident.objects.all():
        assert incident.text == "" and incident.contact == "" and not incident.wants_contact
        assert incident.reporter_rsvp is None and incident.erased_at == later
    assert Incident.objects.count() == 2
    assert not IncidentNote.objects.exists()
    logged = AuditEntry.objects.get(
        verb="retention.erased", data__counts__has_key="safety.Incident"
    )
    assert logged.data["counts"]["safety.Incident"] == 2
    # running again erases nothing more
    assert "safety.Incident" not in erase_expired_personal_data(now=later)
    with pytest.raises(services.IncidentErased):
        services.add_incident_note(open_one, text="Too late", actor=organizer)


def test_the_supporter_is_never_in_what_the_service_keeps_about_the_report(action, rsvp):
    _report(action, source=Incident.Source.SUPPORTER, rsvp=rsvp)
    logged = str(list(AuditEntry.objects.values_list("data", flat=True)))
    assert SUPPORTER_EMAIL not in logged and SUPPORTER_PSEUDONYM not in logged
