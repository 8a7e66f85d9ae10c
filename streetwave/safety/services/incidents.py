"""The only code that writes incidents: reporting one, acknowledging, resolving, the note log.

Anyone at an action reports an incident while it runs and for INCIDENT_REPORTING_WINDOW after
its end: an organizer of its hub (`can_report_incident`), a supporter from their manage link (the
RSVP is kept as the reporter, never shown), or anyone from the public form. The action's
organizers and the campaign's safety desk see it on their pages; a high-severity one is also
mailed at once, through the outbox, to everyone who holds `can_receive_incident_alerts` over
the action (the hub's safety leads, the campaign's safety coordinators), once per person and
without its text: the mail may be read on a seized phone.

Whoever holds `can_handle_incident` moves it new → acknowledged → resolved (resolving a new one
acknowledges it too) and writes notes. INCIDENT_RETENTION_DAYS after it was resolved, or after
its action ended, whichever comes first, the retention job erases its text, contact, reporter
and notes (the rule is in safety/datamap.py); the row stays (kind, severity, state, times), so
the counts do.
"""

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from streetwave.accounts.models import User
from streetwave.actions.models import RSVP, Action
from streetwave.audit.services import record
from streetwave.core.errors import Conflict, DomainError, NotAllowed
from streetwave.core.i18n import localize_digits
from streetwave.core.locking import lock
from streetwave.hubs.permissions import can, holders
from streetwave.outbox.services import queue_message, recipient

from ..models import INCIDENT_TEXT_MAX_LENGTH, Incident, IncidentNote, SafetyRole
from .photos import PhotoUpload, attach_photo

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

ALERT_KIND = "safety.incident_alert"
# Reported times may run this far ahead of the server's clock (a phone a little fast).
CLOCK_SLACK = dt.timedelta(minutes=5)
# The statuses of an action that took or takes place.
REPORTED_FROM = (Action.Status.PUBLISHED, Action.Status.COMPLETED)


class ReportingClosed(Conflict):
    default_message = _(
        "Incidents can be reported only while the action runs and for a day after it ends."
    )


class AlreadyAcknowledged(Conflict):
    default_message = _("This incident is already acknowledged. Reload the page.")


class AlreadyResolved(Conflict):
    default_message = _("This incident is already resolved. Reload the page.")


class IncidentErased(Conflict):
    default_message = _("What this incident said has been erased: nothing can be added to it.")


def reporting_window(action: Action) -> tuple[dt.datetime, dt.datetime]:
    """When incidents of `action` may be reported: from its start to a while after its end."""
    window: dt.timedelta = settings.INCIDENT_REPORTING_WINDOW
    return action.starts_at, action.ends_at + window


def is_reporting_open(action: Action, *, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    opens, closes = reporting_window(action)
    return action.status in REPORTED_FROM and opens <= now < closes


def _clean_text(text: str, *, field: str, missing: "str | _StrPromise") -> str:
    text = text.strip()
    if not text:
        raise DomainError(missing, field=field)
    if len(text) > INCIDENT_TEXT_MAX_LENGTH:
        raise DomainError(
            _("Keep it under %(count)s characters, please.")
            % {"count": localize_digits(INCIDENT_TEXT_MAX_LENGTH)},
            field=field,
        )
    return text


def _check_reporter(
    action: Action, source: str, actor: User | None, rsvp: RSVP | None
) -> tuple[str, User | None, RSVP | None]:
    """Who reports, as (source, account, RSVP). A supporter who holds a confirmed safety role
    at the action reports as a role holder."""
    if source == Incident.Source.ORGANIZER:
        if actor is None or not can(actor, "can_report_incident", action):
            raise NotAllowed()
        return source, actor, None
    if source in (Incident.Source.SUPPORTER, Incident.Source.ROLE_HOLDER):
        if rsvp is None or rsvp.action_id != action.pk or rsvp.status == RSVP.Status.CANCELLED:
            raise NotAllowed()
        holds_role = SafetyRole.objects.confirmed().filter(rsvp=rsvp).exists()
        return (
            Incident.Source.ROLE_HOLDER if holds_role else Incident.Source.SUPPORTER,
            None,
            rsvp,
        )
    if source == Incident.Source.PUBLIC:
        return source, None, None
    raise NotAllowed()


class ContactInside(DomainError):
    default_message = _(
        "In a high-risk country no contact is kept: leave this empty. The organizers read your "
        "report without knowing who sent it."
    )


def report_incident(
    action: Action,
    *,
    kind: str,
    severity: str,
    text: str,
    source: str,
    happened_at: dt.datetime | None = None,
    contact: str = "",
    wants_contact: bool = False,
    actor: User | None = None,
    rsvp: RSVP | None = None,
    photo: PhotoUpload | None = None,
) -> Incident:
    """An incident at `action`, for its organizers and the campaign's safety desk; a high one
    is mailed at once to the safety leads and coordinators. `actor` is the organizer who
    reports it (source organizer), `rsvp` the supporter's (source supporter); `photo`, if any,
    goes through the safe-photo pipeline (services.photos)."""
    now = timezone.now()
    source, reported_by, reporter_rsvp = _check_reporter(action, source, actor, rsvp)
    if kind not in Incident.Kind.values:
        raise DomainError(_("Choose what happened."), field="kind")
    if severity not in Incident.Severity.values:
        raise DomainError(_("Choose how serious it is."), field="severity")
    text = _clean_text(text, field="text", missing=_("Say in a few words what happened."))
    happened_at = happened_at or now
    if happened_at > now + CLOCK_SLACK:
        raise DomainError(_("This time has not come yet."), field="happened_at")
    contact = contact.strip()
    if wants_contact and not contact:
        raise DomainError(
            _("Say how the organizers can reach you, or untick the box."), field="contact"
        )
    if contact and not wants_contact:
        raise DomainError(
            _(
                "Tick the box if you want to be contacted, or leave this empty: an address is "
                "kept only to reach you about this incident."
            ),
            field="contact",
        )
    if contact and source == Incident.Source.PUBLIC and action.is_high_risk():
        raise ContactInside(field="contact")
    if photo is not None:
        photo.check()
    with transaction.atomic():
        current = lock(Action.objects.filter(pk=action.pk)).get()
        if not is_reporting_open(current, now=now):
            raise ReportingClosed()
        incident = Incident.objects.create(
            action=current,
            kind=kind,
            severity=severity,
            happened_at=happened_at,
            text=text,
            contact=contact,
            wants_contact=wants_contact,
            source=source,
            reported_by=reported_by,
            reporter_rsvp=reporter_rsvp,
        )
        if photo is not None:
            attach_photo(incident, photo)
        # Kind, severity and where it came from: never the text, the contact or the reporter.
        record(
            "incident.reported",
            actor=reported_by,
            target=incident,
            hub=current.hub,
            data={
                "action": current.public_id,
                "kind": kind,
                "severity": severity,
                "source": source,
                **({"photo": True} if photo is not None else {}),
            },
        )
        if severity == Incident.Severity.HIGH:
            _alert(incident)
    return incident


def _alert(incident: Incident) -> None:
    """One mail per person who holds the alerts over the action, whatever roles make them so."""
    told = holders("can_receive_incident_alerts", incident.action).values_list("pk", flat=True)
    queue_message(
        ALERT_KIND,
        [recipient("user", pk) for pk in sorted(set(told))],
        key=f"{ALERT_KIND}:{incident.public_id}",
        data={"incident": incident.pk},
    )


def _locked(incident: Incident, actor: User) -> Incident:
    if not can(actor, "can_handle_incident", incident.action):
        raise NotAllowed()
    current: Incident = (
        lock(Incident.objects.filter(pk=incident.pk)).select_related("action__hub").get()
    )
    return current


def acknowledge_incident(incident: Incident, *, actor: User) -> Incident:
    """Someone who handles incidents has seen it and is on it."""
    with transaction.atomic():
        current = _locked(incident, actor)
        if current.state == Incident.State.RESOLVED:
            raise AlreadyResolved()
        if current.state == Incident.State.ACKNOWLEDGED:
            raise AlreadyAcknowledged()
        current.state = Incident.State.ACKNOWLEDGED
        current.acknowledged_at = timezone.now()
        current.acknowledged_by = actor
        current.save(update_fields=["state", "acknowledged_at", "acknowledged_by", "updated_at"])
        record("incident.acknowledged", actor=actor, target=current, hub=current.action.hub)
    return current


def resolve_incident(incident: Incident, *, actor: User) -> Incident:
    """The incident is over. A new one is acknowledged by the same step."""
    with transaction.atomic():
        current = _locked(incident, actor)
        if current.state == Incident.State.RESOLVED:
            raise AlreadyResolved()
        now = timezone.now()
        fields = ["state", "resolved_at", "resolved_by", "updated_at"]
        if current.state == Incident.State.NEW:
            current.acknowledged_at = now
            current.acknowledged_by = actor
            fields += ["acknowledged_at", "acknowledged_by"]
        current.state = Incident.State.RESOLVED
        current.resolved_at = now
        current.resolved_by = actor
        current.save(update_fields=fields)
        record("incident.resolved", actor=actor, target=current, hub=current.action.hub)
    return current


def add_incident_note(incident: Incident, *, text: str, actor: User) -> IncidentNote:
    """A line of the incident's log: what was done, who went there."""
    text = _clean_text(text, field="text", missing=_("Write the note first."))
    with transaction.atomic():
        current = _locked(incident, actor)
        if current.erased_at is not None:
            raise IncidentErased()
        note = IncidentNote.objects.create(incident=current, author=actor, text=text)
        record(
            "incident.noted",
            actor=actor,
            target=current,
            hub=current.action.hub,
            data={"note": note.public_id},
        )
    return note
