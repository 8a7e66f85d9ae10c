"""The moderation queue of a campaign, as its coordinators see it: reports grouped per action,
held takedowns, hub flags and suspended hubs. A fixed number of queries whatever its size."""

from dataclasses import dataclass, field

from django.db.models import Count, Max, Q, QuerySet

from streetwave.accounts.models import User
from streetwave.actions.models import Action
from streetwave.approvals.models import Approval
from streetwave.campaigns.models import Campaign
from streetwave.hubs.models import Hub
from streetwave.hubs.permissions import where

from .models import HubFlag, Report, Takedown

_OPEN = Q(reports__handled_at__isnull=True)


@dataclass
class ReportedAction:
    """One action of the queue: its open reports, counted per kind, newest first."""

    action: Action
    counts: list[tuple[str, int]]
    reports: list[Report] = field(default_factory=list)


def reported_actions(campaign: Campaign) -> QuerySet[Action]:
    """The campaign's actions with open reports, the most recently reported first; each carries
    `open_reports`, `last_reported_at` and `kind_<kind>`, its open reports of each kind."""
    kinds = {
        f"kind_{kind}": Count("reports", filter=_OPEN & Q(reports__kind=kind))
        for kind in Report.Kind.values
    }
    actions: QuerySet[Action] = (
        Action.objects.filter(campaign=campaign)
        .annotate(
            open_reports=Count("reports", filter=_OPEN),
            last_reported_at=Max("reports__created_at", filter=_OPEN),
            **kinds,
        )
        .filter(open_reports__gt=0)
        .select_related("hub", "city", "city__country")
        .order_by("-last_reported_at", "-pk")
    )
    return actions


def with_reports(actions: list[Action]) -> list[ReportedAction]:
    """The open reports of `actions` (a page of `reported_actions`), in two queries. A
    reporter's contact is decrypted only for those who asked to be contacted."""
    reports = list(
        Report.objects.filter(action__in=actions, handled_at__isnull=True)
        .defer("contact")
        .order_by("-created_at", "-pk")
    )
    wanting = [report.pk for report in reports if report.wants_contact]
    contacts = (
        dict(Report.objects.filter(pk__in=wanting).values_list("pk", "contact")) if wanting else {}
    )
    by_action: dict[int, list[Report]] = {}
    for report in reports:
        # Never read for the others: their column is deferred, and empty anyway.
        report.shown_contact = contacts.get(report.pk, "")  # type: ignore[attr-defined]
        by_action.setdefault(report.action_id, []).append(report)
    return [
        ReportedAction(
            action,
            [
                (str(label), getattr(action, f"kind_{kind}"))
                for kind, label in Report.Kind.choices
                if getattr(action, f"kind_{kind}")
            ],
            by_action.get(action.pk, []),
        )
        for action in actions
    ]


def _overseen_hubs(user: User) -> QuerySet[Hub]:
    return where(user, "can_moderate").hubs()


def held_takedowns(user: User, campaign: Campaign) -> QuerySet[Takedown]:
    """Takedowns waiting for a second coordinator: of the campaign's actions, and suspensions
    of hubs the user oversees."""
    takedowns: QuerySet[Takedown] = (
        Takedown.objects.filter(approval=Approval.HELD)
        .filter(Q(action__campaign=campaign) | Q(hub__in=_overseen_hubs(user)))
        .select_related("action", "action__hub", "action__city", "hub", "hub__city")
        .order_by("-created_at", "-pk")
    )
    return takedowns


def open_flags(user: User) -> QuerySet[HubFlag]:
    """Flags on the hubs the user oversees that nobody has handled yet, newest first."""
    flags: QuerySet[HubFlag] = (
        HubFlag.objects.filter(handled_at__isnull=True, hub__in=_overseen_hubs(user))
        .select_related("hub", "hub__city", "by_hub", "by_hub__city")
        .order_by("-created_at", "-pk")
    )
    return flags


def suspended_hubs(user: User) -> QuerySet[Hub]:
    hubs: QuerySet[Hub] = (
        _overseen_hubs(user)
        .filter(status=Hub.Status.SUSPENDED)
        .select_related("city", "city__country")
        .order_by("name", "pk")
    )
    return hubs
