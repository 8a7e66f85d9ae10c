"""The lists of report-backs that pages and the API show, and what waits for a second person on
the organizer dashboard (pending sources, see hubs.queries)."""

import datetime as dt

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from streetwave.accounts.models import User
from streetwave.actions.models import Action
from streetwave.approvals.models import Approval
from streetwave.campaigns.models import Campaign
from streetwave.hubs.permissions import where
from streetwave.hubs.queries import AUDIT_LABELS, PendingItem, pending_source

from .models import ReportBack

PENDING_LIMIT = 20

AUDIT_LABELS.update(
    {
        "report_back.filed": gettext_lazy("Report-back filed"),
        "report_back.correction_filed": gettext_lazy("Correction of a report-back filed"),
        "report_back.verified": gettext_lazy("Report-back verified"),
        "report_back.withdrawn": gettext_lazy("Report-back withdrawn"),
        "rsvp.attended": gettext_lazy("Attendance counted"),
    }
)


def report_backs_of(action: Action) -> list[ReportBack]:
    """The report-backs of `action` an organizer works with: the one held and the current
    verified one, newest first."""
    return list(
        ReportBack.objects.filter(action=action, superseded_at__isnull=True)
        .exclude(approval=Approval.WITHDRAWN)
        .select_related("requested_by", "approved_by")
        .order_by("-created_at", "-id")
    )


def public_report_backs() -> QuerySet[ReportBack]:
    """Every current verified report-back of a public action, newest verification first."""
    return (
        ReportBack.objects.verified()
        .filter(action__in=Action.objects.public())
        .select_related("action", "action__hub", "action__city__country", "action__campaign")
        .order_by("-approved_at", "-id")
    )


def campaign_wall(campaign: Campaign) -> QuerySet[ReportBack]:
    """The report wall of a campaign: its verified report-backs, newest first."""
    return public_report_backs().filter(action__campaign=campaign)


@pending_source
def report_backs_to_verify(user: User) -> list[PendingItem]:
    """Report-backs someone else filed that the user may verify."""
    rows = (
        ReportBack.objects.held()
        .filter(action__in=where(user, "can_verify_report_back").actions())
        .exclude(requested_by=user)
        .select_related("action")
        .order_by("created_at", "id")[:PENDING_LIMIT]
    )
    return [
        PendingItem(
            text=_("The report-back of “%(title)s” waits for a second person to verify it.")
            % {"title": row.action.title},
            url=reverse("reportbacks:manage_verify", args=[row.public_id]),
            since=row.created_at,
        )
        for row in rows
    ]


@pending_source
def actions_to_report(user: User) -> list[PendingItem]:
    """Actions of the user's hubs that ended, within the report window, with nothing reported."""
    now = timezone.now()
    window: dt.timedelta = settings.REPORT_BACK_WINDOW
    reported = ReportBack.objects.filter(action=OuterRef("pk")).exclude(approval=Approval.WITHDRAWN)
    actions = (
        Action.objects.filter(
            pk__in=where(user, "can_file_report_back").actions(),
            status=Action.Status.PUBLISHED,
            ends_at__lte=now,
            ends_at__gte=now - window,
        )
        .exclude(Exists(reported))
        .order_by("ends_at", "id")[:PENDING_LIMIT]
    )
    return [
        PendingItem(
            text=_("“%(title)s” has ended: report back how it went.") % {"title": action.title},
            url=reverse("reportbacks:manage", args=[action.public_id]),
            since=action.ends_at,
        )
        for action in actions
    ]
