"""The lists of hubs that pages show: the organizer dashboard (`/<lang>/manage/`) and the page
of one hub, read side only. One object for a user, or 404, is `access.py`'s.

Pending items: each app says what waits for a user by registering a source, a function
`(user) -> list[PendingItem]`, with `@pending_source` in its own `queries.py`; the hubs app
imports every installed app's `queries` module at start-up (see HubsConfig.ready), so a new
source needs no change here. A source must run a fixed number of queries (two at most) whatever
the amount of data, and return few items: the dashboard's query count is asserted in tests.
"""

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from streetwave.accounts.models import User
from streetwave.actions.models import Action
from streetwave.audit.models import AuditEntry
from streetwave.campaigns.models import Campaign
from streetwave.campaigns.risk import high_risk_hub_q, is_high_risk_city

from .models import CampaignRole, Hub, Invitation, Membership, Participation, Vouch
from .permissions import permissions_for, permissions_of, where


def public_hubs() -> QuerySet[Hub]:
    """The public hubs (active, outside the high-risk countries), for the API's list."""
    return Hub.objects.public().select_related("city", "city__country", "sponsor")


def sponsored_by(hub: Hub) -> QuerySet[Hub]:
    """The public hubs that `hub` vouched for."""
    return Hub.objects.public().filter(sponsor=hub)


def public_actions_of(hub: Hub) -> QuerySet[Action]:
    """The actions of `hub` anyone may see, for its public page and its calendar."""
    return Action.objects.public().filter(hub=hub)


@dataclass(frozen=True)
class PendingItem:
    """One thing that waits for the user: `text` is a translated full sentence, `url` the page
    where it is done, `since` when it started waiting (the oldest come first)."""

    text: str
    url: str
    since: dt.datetime | None = None


PendingSource = Callable[..., list[PendingItem]]
PENDING_SOURCES: list[PendingSource] = []


def pending_source(source: PendingSource) -> PendingSource:
    """Register `source` as a provider of pending items (use as a decorator)."""
    PENDING_SOURCES.append(source)
    return source


def pending_items_for(user: User) -> list[PendingItem]:
    items = [item for source in PENDING_SOURCES for item in source(user)]
    oldest = dt.datetime.min.replace(tzinfo=dt.UTC)
    return sorted(items, key=lambda item: item.since or oldest)


# Labels of audit verbs for organizers' eyes. Other apps add theirs from their queries module;
# a verb without a label is shown as it is.
AUDIT_LABELS = {
    "hub.created": _("Hub created"),
    "hub.proposed": _("Hub proposed"),
    "hub.application_verified": _("Proposal confirmed by the applicant"),
    "hub.vouched": _("Vouched for a proposed hub"),
    "hub.approved": _("Approved by a coordinator"),
    "hub.activated": _("Hub activated"),
    "invitation.created": _("Invitation sent"),
    "invitation.accepted": _("Invitation accepted"),
    "membership.removed": _("Member removed"),
    "hub.founded": _("Founded by a coordinator"),
    "hub.answered_call": _("Answered a campaign's call"),
    "hub.answer_accepted": _("Answer to a campaign's call accepted"),
}

# RSVPs are logged one by one and would bury everything else; their counts are on the page.
_QUIET_AUDIT_PREFIXES = ("rsvp.",)
RECENT_AUDIT_ENTRIES = 20
PENDING_LIMIT = 20
# Upcoming actions and those of the last weeks: what an organizer still works on.
ACTIONS_LOOKBACK = dt.timedelta(days=30)
ACTIONS_LIMIT = 100
CAMPAIGN_ROWS_LIMIT = 50


def audit_label(verb: str) -> str:
    return str(AUDIT_LABELS.get(verb, verb))


@dataclass(frozen=True)
class AuditLine:
    """One entry of a hub's log, with the hub's zone: organizers read times in their city's."""

    entry: AuditEntry
    label: str
    zone: dt.tzinfo = dt.UTC


@dataclass
class HubCard:
    hub: Hub
    role: str
    role_label: str
    shows_counts: bool
    manages_actions: bool
    actions: list[Action] = field(default_factory=list)


@dataclass
class CampaignCard:
    """Counts only: coordinators see how many, never who."""

    campaign: Campaign
    hubs: list[Mapping[str, Any]] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    going: int = 0
    waitlisted: int = 0
    more_hubs: int = 0
    # Hubs in high-risk countries with actions in the campaign: counted, never named.
    hubs_inside: int = 0


@dataclass
class Dashboard:
    hubs: list[HubCard]
    campaigns: list[CampaignCard]
    pending: list[PendingItem]
    audit: list[AuditLine]


def dashboard_for(user: User) -> Dashboard:
    memberships = list(
        Membership.objects.filter(user=user)
        .select_related("hub", "hub__city", "hub__city__country")
        .order_by("hub__name", "hub_id")
    )
    cards = [
        HubCard(
            hub=m.hub,
            role=m.role,
            role_label=m.get_role_display(),
            shows_counts="can_view_counts" in permissions_of(m.role),
            manages_actions="can_edit_action" in permissions_of(m.role),
        )
        for m in memberships
    ]
    by_hub = {card.hub.pk: card for card in cards}
    if by_hub:
        since = timezone.now() - ACTIONS_LOOKBACK
        for action in (
            Action.objects.filter(hub_id__in=by_hub, ends_at__gte=since)
            .select_related("city", "campaign")
            .order_by("starts_at", "id")[:ACTIONS_LIMIT]
        ):
            by_hub[action.hub_id].actions.append(action)
    audited = {
        m.hub.public_id: m.hub.city.zone
        for m in memberships
        if "can_view_hub_audit" in permissions_of(m.role)
    }
    return Dashboard(
        hubs=cards,
        campaigns=_campaign_cards(user),
        pending=pending_items_for(user),
        audit=_recent_audit(audited),
    )


@dataclass
class HubOverview:
    """One hub as its own people see it; each part only for the roles that may see it."""

    hub: Hub
    permissions: frozenset[str]
    actions: list[Action]
    members: list[Membership]
    invitations: list[Invitation]
    audit: list[AuditLine]
    # Open campaigns whose call the hub has not answered (for those who may answer it).
    open_calls: list[Campaign] = field(default_factory=list)
    # The hub's answers to campaigns' calls, those still waiting for a coordinator first.
    answers: list[Participation] = field(default_factory=list)
    # Whether the hub is in a high-risk country: its people are told what that changes.
    high_risk: bool = False

    @property
    def shows_counts(self) -> bool:
        return "can_view_counts" in self.permissions

    @property
    def manages_actions(self) -> bool:
        return "can_edit_action" in self.permissions


def hub_overview_for(user: User, hub: Hub) -> HubOverview:
    permissions = permissions_for(user, hub)
    since = timezone.now() - ACTIONS_LOOKBACK
    return HubOverview(
        hub=hub,
        permissions=permissions,
        actions=list(
            Action.objects.filter(hub=hub, ends_at__gte=since)
            .select_related("city", "campaign")
            .order_by("starts_at", "id")[:ACTIONS_LIMIT]
        ),
        members=list(
            Membership.objects.filter(hub=hub)
            .select_related("user")
            .order_by("role", "created_at", "id")
        )
        if "can_manage_members" in permissions
        else [],
        invitations=list(Invitation.objects.open().filter(hub=hub).order_by("expires_at", "id"))
        if "can_invite_organizers" in permissions
        else [],
        audit=_recent_audit({hub.public_id: hub.city.zone})
        if "can_view_hub_audit" in permissions
        else [],
        open_calls=list(open_calls_for(hub))
        if "can_create_action" in permissions and hub.is_active
        else [],
        answers=list(
            Participation.objects.filter(hub=hub)
            .select_related("campaign")
            .order_by("-state", "-answered_at", "id")[:CAMPAIGN_ROWS_LIMIT]
        ),
        high_risk=is_high_risk_city(hub.city),
    )


def open_calls_for(hub: Hub) -> QuerySet[Campaign]:
    """The open campaigns whose call `hub` has not answered yet, the soonest first."""
    return (
        Campaign.objects.live()
        .filter(ends_at__gt=timezone.now())
        .exclude(pk__in=Participation.objects.filter(hub=hub).values("campaign_id"))
        .order_by("starts_at", "id")[:CAMPAIGN_ROWS_LIMIT]
    )


@dataclass(frozen=True)
class Coordinators:
    """A campaign's coordinators and its open invitations to coordinate, for its operators."""

    roles: list[CampaignRole]
    invitations: list[Invitation]


def coordinators_of(campaign: Campaign) -> Coordinators:
    return Coordinators(
        roles=list(
            CampaignRole.objects.filter(campaign=campaign)
            .select_related("user")
            .order_by("created_at", "id")
        ),
        invitations=list(
            Invitation.objects.open().filter(campaign=campaign).order_by("expires_at", "id")
        ),
    )


@dataclass(frozen=True)
class Answers:
    """The hubs that answered a campaign's call, for its coordinators: counts, never people.
    Hubs in high-risk countries are only counted (`inside`)."""

    waiting: list[Participation]
    not_planned: list[Participation]
    planning: list[Participation]
    inside: int = 0


def answers_to(campaign: Campaign) -> Answers:
    """Every answer to `campaign`'s call, each with `planned`: how many actions its hub has in the
    campaign (in any status), but those of hubs in high-risk countries, which are counted. One
    query."""
    planned = (
        Action.objects.filter(hub=OuterRef("hub"), campaign=campaign)
        .order_by()
        .values("hub")
        .annotate(n=Count("id"))
        .values("n")
    )
    rows = list(
        Participation.objects.filter(campaign=campaign)
        .select_related("hub", "hub__city", "hub__city__country")
        .annotate(
            planned=Coalesce(Subquery(planned, output_field=IntegerField()), 0),
            high_risk=ExpressionWrapper(high_risk_hub_q("hub__"), output_field=BooleanField()),
        )
        .order_by("answered_at", "id")
    )
    shown = [row for row in rows if not row.high_risk]
    return Answers(
        waiting=[row for row in shown if not row.is_accepted],
        not_planned=[row for row in shown if row.is_accepted and not row.planned],
        planning=[row for row in shown if row.is_accepted and row.planned],
        inside=len(rows) - len(shown),
    )


def _campaign_cards(user: User) -> list[CampaignCard]:
    campaigns = where(user, "can_view_counts").campaigns().order_by("-starts_at", "id")
    cards = {campaign.pk: CampaignCard(campaign=campaign) for campaign in campaigns}
    if not cards:
        return []
    # Drafts are their hub's business until submitted; coordinators count the rest.
    counted = Action.objects.filter(campaign_id__in=cards).exclude(status=Action.Status.DRAFT)
    rows = (
        counted.annotate(
            hub_high_risk=ExpressionWrapper(high_risk_hub_q("hub__"), output_field=BooleanField())
        )
        .values("campaign_id", "hub__public_id", "hub__name", "hub_high_risk")
        .annotate(actions=Count("id"), going=Sum("going_count"), waitlisted=Sum("waitlisted_count"))
        .order_by("campaign_id", "-going", "hub__name")
    )
    for row in rows:
        card = cards[row["campaign_id"]]
        card.going += row["going"] or 0
        card.waitlisted += row["waitlisted"] or 0
        if row["hub_high_risk"]:
            card.hubs_inside += 1
        elif len(card.hubs) < CAMPAIGN_ROWS_LIMIT:
            card.hubs.append(row)
        else:
            card.more_hubs += 1
    upcoming = (
        counted.filter(ends_at__gte=timezone.now())
        .exclude(high_risk_hub_q("hub__"))
        .select_related("hub", "city")
        .order_by("starts_at", "id")[: CAMPAIGN_ROWS_LIMIT * len(cards)]
    )
    for action in upcoming:
        card = cards[cast(int, action.campaign_id)]
        if len(card.actions) < CAMPAIGN_ROWS_LIMIT:
            card.actions.append(action)
    return list(cards.values())


def _recent_audit(hub_ids: Mapping[str, dt.tzinfo]) -> list[AuditLine]:
    """The latest entries of the hubs `hub_ids` (public id -> the hub's zone)."""
    if not hub_ids:
        return []
    quiet = Q()
    for prefix in _QUIET_AUDIT_PREFIXES:
        quiet |= Q(verb__startswith=prefix)
    entries = (
        AuditEntry.objects.filter(hub_id__in=hub_ids)
        .exclude(quiet)
        .select_related("actor")
        .order_by("-created_at", "-id")[:RECENT_AUDIT_ENTRIES]
    )
    return [
        AuditLine(
            entry=entry,
            label=audit_label(entry.verb),
            zone=hub_ids.get(entry.hub_id, dt.UTC),
        )
        for entry in entries
    ]


@pending_source
def proposals_to_vouch_for(user: User) -> list[PendingItem]:
    """Confirmed proposals that neither this organizer nor any of their vouching hubs vouched
    for yet."""
    mine = list(
        where(user, "can_vouch_hub")
        .hubs()
        .filter(status=Hub.Status.ACTIVE)
        .values_list("pk", flat=True)
    )
    if not mine:
        return []
    proposals = (
        Hub.objects.open_to_vouchers()
        .exclude(
            pk__in=Vouch.objects.filter(Q(voucher=user) | Q(voucher_hub__in=mine)).values("hub")
        )
        .select_related("city", "application")
        .annotate(vouch_count=Count("vouches"))
        .order_by("application__verified_at", "id")[:PENDING_LIMIT]
    )
    return [
        PendingItem(
            text=ngettext(
                "%(name)s in %(city)s asks to be vouched for. It has %(count)s vouch of 2.",
                "%(name)s in %(city)s asks to be vouched for. It has %(count)s vouches of 2.",
                hub.vouch_count,
            )
            % {"name": hub.name, "city": hub.city.display_name(), "count": hub.vouch_count},
            url=reverse("hubs:proposal", args=[hub.public_id]),
            since=hub.application.verified_at,
        )
        for hub in proposals
    ]


@pending_source
def proposals_to_approve(user: User) -> list[PendingItem]:
    """For coordinators: confirmed proposals, which one approval activates."""
    campaign = where(user, "can_approve_hub").campaigns().order_by("-starts_at", "id").first()
    if campaign is None:
        return []
    url = reverse("hubs:tree", args=[campaign.slug]) + "#proposals"
    proposals = (
        Hub.objects.awaiting_vouches()
        .select_related("city", "application")
        .order_by("application__verified_at", "id")[:PENDING_LIMIT]
    )
    return [
        PendingItem(
            text=_("%(name)s in %(city)s waits for vouches or a coordinator's approval.")
            % {"name": hub.name, "city": hub.city.display_name()},
            url=url,
            since=hub.application.verified_at,
        )
        for hub in proposals
    ]


@pending_source
def answers_to_accept(user: User) -> list[PendingItem]:
    """For coordinators: hubs whose answer to the call waits for a coordinator to accept it."""
    waiting = (
        Participation.objects.pending()
        .filter(campaign__in=where(user, "can_approve_hub").campaigns())
        .exclude(high_risk_hub_q("hub__"))
        .select_related("hub", "hub__city", "campaign")
        .order_by("answered_at", "id")[:PENDING_LIMIT]
    )
    return [
        PendingItem(
            text=_("%(name)s in %(city)s answered the call of %(campaign)s and waits for you.")
            % {
                "name": row.hub.name,
                "city": row.hub.city.display_name(),
                "campaign": row.campaign.title,
            },
            url=reverse("hubs:manage_answers", args=[row.campaign.slug]),
            since=row.answered_at,
        )
        for row in waiting
    ]
