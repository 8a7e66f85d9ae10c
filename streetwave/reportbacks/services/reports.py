"""Report-backs: filed by an organizer of the action's hub, verified by a second person (the
one two-person rule: approvals.services.decide_held), then public.

Verification sets the action's final state: completed when it took place, not held otherwise.
A verified report-back is corrected by filing a correction, held like the first; verifying it
supersedes the report-back it corrects. "I was there" is a count on the report-backs of the
action, once per RSVP (the RSVP's status becomes attended).
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from streetwave.accounts.models import User
from streetwave.actions.models import RSVP, Action
from streetwave.approvals.models import Approval
from streetwave.approvals.services import decide_held
from streetwave.audit.services import record
from streetwave.core.errors import Conflict, DomainError, NotAllowed
from streetwave.core.locking import lock
from streetwave.hubs.permissions import can, holders
from streetwave.outbox.services import queue_message, recipient

from ..models import ReportBack

# What a report-back can be about: an action that was announced and not called off (a report of
# one already reported is a correction).
REPORTABLE = (Action.Status.PUBLISHED, Action.Status.COMPLETED, Action.Status.NOT_HELD)


class OutsideReportWindow(DomainError):
    default_message = _("A report-back can be filed only from the start of the action on.")

    @classmethod
    def for_window(cls) -> "OutsideReportWindow":
        window: dt.timedelta = settings.REPORT_BACK_WINDOW
        return cls(
            _(
                "A report-back can be filed from the start of the action until %(days)s days "
                "after its end."
            )
            % {"days": window.days}
        )


class NotReportable(Conflict):
    default_message = _("This action cannot be reported on: it was not held as announced.")


class ReportBackWaiting(Conflict):
    default_message = _(
        "Another report-back of this action is waiting for a second person. Verify or withdraw "
        "it first."
    )


class AlreadyReported(Conflict):
    default_message = _("This action has a verified report-back already. Correct it instead.")


class ReportBackOutdated(Conflict):
    default_message = _(
        "The report-back this corrects is no longer the current one. Withdraw this correction "
        "and file a new one."
    )


class NotCurrent(Conflict):
    default_message = _("Only the current verified report-back can be corrected.")


class ReasonMissing(DomainError):
    default_message = _("Say why the action did not take place.")


class TurnoutMissing(DomainError):
    default_message = _("Say how many people took part.")


class LanguageNotOfCampaign(DomainError):
    default_message = _("Write the story in one of the campaign's languages.")


@dataclass(frozen=True)
class Report:
    """What an organizer says about an action, as a form or the API hands it over."""

    took_place: bool
    reason: str
    turnout: int | None
    turnout_is_estimate: bool
    story: str
    language: str


def report_window_opens(action: Action) -> dt.datetime:
    return action.starts_at


def report_window_closes(action: Action) -> dt.datetime:
    window: dt.timedelta = settings.REPORT_BACK_WINDOW
    return action.ends_at + window


def is_in_report_window(action: Action, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return report_window_opens(action) <= now <= report_window_closes(action)


def report_languages(action: Action) -> list[str]:
    """The languages a story may be written in: the campaign's, else the instance's."""
    campaign = action.campaign if action.campaign_id is not None else None
    if campaign is not None and campaign.languages:
        return list(campaign.languages)
    return [code for code, _name in settings.LANGUAGES]


def _clean(action: Action, report: Report) -> Report:
    if report.took_place:
        if report.turnout is None:
            raise TurnoutMissing(field="turnout")
        reason = ""
        turnout: int | None = report.turnout
    else:
        if not report.reason.strip():
            raise ReasonMissing(field="reason")
        reason = report.reason.strip()
        turnout = None
    if report.language not in report_languages(action):
        raise LanguageNotOfCampaign(field="language")
    return Report(
        took_place=report.took_place,
        reason=reason,
        turnout=turnout,
        turnout_is_estimate=report.turnout_is_estimate and turnout is not None,
        story=report.story.strip(),
        language=report.language,
    )


def _second_persons(report_back: ReportBack) -> list[int]:
    """Whom to tell that a report-back waits: the hub's other organizers and leads; when it has
    none, everyone else who may verify it (the sponsoring hub's leads, the campaign's
    coordinators)."""
    action = report_back.action
    requester = report_back.requested_by_id
    in_hub = holders("can_file_report_back", action).exclude(pk=requester)
    ids = list(in_hub.order_by("pk").values_list("pk", flat=True))
    if not ids:
        others = holders("can_verify_report_back", action).exclude(pk=requester)
        ids = list(others.order_by("pk").values_list("pk", flat=True))
    return ids


def _hold(
    action: Action, report: Report, *, corrects: ReportBack | None, actor: User
) -> ReportBack:
    if not can(actor, "can_file_report_back", action):
        raise NotAllowed()
    with transaction.atomic():
        current = lock(Action.objects.filter(pk=action.pk)).select_related("hub", "campaign").get()
        if current.status not in REPORTABLE:
            raise NotReportable()
        if not is_in_report_window(current):
            raise OutsideReportWindow.for_window()
        cleaned = _clean(current, report)
        verified = ReportBack.objects.verified().filter(action=current).first()
        if corrects is not None and (verified is None or verified.pk != corrects.pk):
            raise NotCurrent()
        if ReportBack.objects.held().filter(action=current).exists():
            raise ReportBackWaiting()
        if corrects is None and verified is not None:
            raise AlreadyReported()
        report_back = ReportBack.objects.create(
            action=current,
            approval=Approval.HELD,
            requested_by=actor,
            took_place=cleaned.took_place,
            reason=cleaned.reason,
            turnout=cleaned.turnout,
            turnout_is_estimate=cleaned.turnout_is_estimate,
            story=cleaned.story,
            language=cleaned.language,
            corrects=corrects,
            # Those who said "I was there" before it was filed (or on the report it corrects).
            attended_count=current.rsvps.filter(status=RSVP.Status.ATTENDED).count(),
        )
        record(
            "report_back.correction_filed" if corrects is not None else "report_back.filed",
            actor=actor,
            target=current,
            hub=current.hub,
            data={
                "report_back": report_back.public_id,
                **({"corrects": corrects.public_id} if corrects is not None else {}),
            },
        )
        told = _second_persons(report_back)
        queue_message(
            "reportbacks.waiting",
            [recipient("user", pk) for pk in told],
            key=f"reportbacks.waiting:{report_back.public_id}",
            data={"report_back": report_back.pk},
        )
    return report_back


def file_report_back(
    action: Action,
    *,
    took_place: bool,
    reason: str,
    turnout: int | None,
    turnout_is_estimate: bool,
    story: str,
    language: str,
    actor: User,
) -> ReportBack:
    """An organizer of the action's hub reports what happened, from the action's start until
    REPORT_BACK_WINDOW after its end. Held for a second person; nobody else sees it yet."""
    report = Report(took_place, reason, turnout, turnout_is_estimate, story, language)
    return _hold(action, report, corrects=None, actor=actor)


def correct_report_back(
    report_back: ReportBack,
    *,
    took_place: bool,
    reason: str,
    turnout: int | None,
    turnout_is_estimate: bool,
    story: str,
    language: str,
    actor: User,
) -> ReportBack:
    """A correction of the current verified `report_back`: a new held row that, once a second
    person verifies it, replaces it (and the action's final state follows)."""
    report = Report(took_place, reason, turnout, turnout_is_estimate, story, language)
    return _hold(report_back.action, report, corrects=report_back, actor=actor)


def _take_effect(report_back: ReportBack) -> None:
    """What a verification sets off, inside its transaction: the corrected report-back steps
    down, and the action's final state follows the report."""
    now = report_back.approved_at or timezone.now()
    action = lock(Action.objects.filter(pk=report_back.action_id)).get()
    if action.status not in REPORTABLE:
        raise NotReportable()
    current = lock(ReportBack.objects.verified().filter(action=action)).first()
    if current is not None and current.pk != report_back.corrects_id:
        raise ReportBackOutdated()
    if current is None and report_back.corrects_id is not None:
        raise ReportBackOutdated()
    if current is not None:
        current.superseded_at = now
        current.save(update_fields=["superseded_at", "updated_at"])
    action.status = Action.Status.COMPLETED if report_back.took_place else Action.Status.NOT_HELD
    action.save(update_fields=["status", "updated_at"])
    report_back.action = action


def _decide(report_back: ReportBack, *, decision: str, actor: User) -> ReportBack:
    approve = decision == "approve"
    return decide_held(
        ReportBack.objects.filter(pk=report_back.pk).select_related(
            "action", "action__hub", "action__campaign"
        ),
        decision="approve" if approve else "withdraw",
        actor=actor,
        may=lambda row: (
            can(actor, "can_verify_report_back", row.action)
            # The filer may take their own report back before anyone verified it.
            or (not approve and row.requested_by_id == actor.pk)
        ),
        verb="report_back.verified" if approve else "report_back.withdrawn",
        then=_take_effect if approve else None,
        audit=lambda row: {
            "target": row.action,
            "hub": row.action.hub,
            "data": {"report_back": row.public_id, "took_place": row.took_place},
        },
    )


def verify_report_back(report_back: ReportBack, *, actor: User) -> ReportBack:
    """A second person (never the filer) verifies a held report-back: it becomes public, replaces
    the one it corrects, and the action is completed or not held."""
    return _decide(report_back, decision="approve", actor=actor)


def withdraw_report_back(report_back: ReportBack, *, actor: User) -> ReportBack:
    """The filer takes a held report-back back, or a second person turns it down."""
    return _decide(report_back, decision="withdraw", actor=actor)


def say_i_was_there(rsvp: RSVP) -> bool:
    """A supporter says, from their own link, that they were there: once per RSVP (going, the
    action begun and its report window open). The RSVP becomes attended and the report-backs of
    the action count one more; nothing else is stored. Returns whether it counted."""
    with transaction.atomic():
        action = rsvp.action
        took_place = (Action.Status.PUBLISHED, Action.Status.COMPLETED)
        if action.status not in took_place or not is_in_report_window(action):
            return False
        changed = RSVP.objects.filter(pk=rsvp.pk, status=RSVP.Status.GOING).update(
            status=RSVP.Status.ATTENDED, updated_at=timezone.now()
        )
        if not changed:
            return False
        _count_attendance(action)
        # The audit names the action only: who said it is nobody's business.
        record("rsvp.attended", target=action, hub=action.hub, data={"by": "supporter"})
    rsvp.status = RSVP.Status.ATTENDED
    return True


def check_in(rsvp: RSVP, *, actor: User) -> bool:
    """An organizer marks an RSVP as attended on the day (check-in by pseudonym): once per RSVP,
    as "I was there"."""
    action = rsvp.action
    if not can(actor, "can_view_attendees", action):
        raise NotAllowed()
    with transaction.atomic():
        if action.status not in REPORTABLE or not is_in_report_window(action):
            raise OutsideReportWindow.for_window()
        changed = RSVP.objects.filter(pk=rsvp.pk, status=RSVP.Status.GOING).update(
            status=RSVP.Status.ATTENDED, updated_at=timezone.now()
        )
        if not changed:
            return False
        _count_attendance(action)
        record("rsvp.attended", actor=actor, target=action, hub=action.hub, data={"by": "hub"})
    rsvp.status = RSVP.Status.ATTENDED
    return True


def _count_attendance(action: Action) -> None:
    # The held one and the current one both count, so that a verified correction keeps it.
    ReportBack.objects.filter(action=action, superseded_at__isnull=True).exclude(
        approval=Approval.WITHDRAWN
    ).update(attended_count=F("attended_count") + 1)
