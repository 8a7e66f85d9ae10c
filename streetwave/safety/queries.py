"""What the safety pages read: an action's incidents, the campaign's safety desk, the incidents
waiting on an organizer's dashboard, and the lists of the safety roles' pages. Nothing here names
a supporter: an incident is shown by its kind, severity, state, action, city and times. Roles are
shown to organizers by the holder's pseudonym or display name, never a contact; to coordinators
as counts, never people."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from streetwave.accounts.models import User
from streetwave.actions.models import RSVP, Action, EmergencyNotice
from streetwave.campaigns.models import Campaign
from streetwave.core.i18n import localize_digits
from streetwave.hubs.permissions import where
from streetwave.hubs.queries import PENDING_LIMIT, PendingItem, pending_source

from .models import (
    ESSENTIAL_ROLES,
    Incident,
    IncidentNote,
    RightsCard,
    SafetyBriefing,
    SafetyRole,
)

# The desk shows the newest incidents first, this many at most; filters narrow them down.
DESK_INCIDENTS_LIMIT = 100
DESK_NOTICES_LIMIT = 20
# Emergency notices of the last day: what was sent on the day.
DESK_NOTICES_SINCE = dt.timedelta(hours=24)


def incidents_of(action: Action) -> QuerySet[Incident]:
    """An action's incidents, newest first, with their notes (oldest first) and their authors."""
    return (
        Incident.objects.filter(action=action)
        .select_related("acknowledged_by", "resolved_by")
        .prefetch_related(Prefetch("notes", queryset=IncidentNote.objects.select_related("author")))
    )


def notes_of(incident: Incident) -> QuerySet[IncidentNote]:
    return incident.notes.select_related("author")


# The actions the desk checks for missing roles: those happening, and those starting soon.
MISSING_ROLES_AHEAD = dt.timedelta(hours=24)


@dataclass(frozen=True)
class MissingRoles:
    """An action of the campaign that lacks an essential safety role, by the roles' labels:
    which roles, never who holds the others."""

    action: Action
    missing: list[str]


def actions_missing_roles(
    campaign: Campaign, *, now: dt.datetime | None = None
) -> list[MissingRoles]:
    """The campaign's published actions happening now or starting within MISSING_ROLES_AHEAD
    that have no confirmed holder of one of ESSENTIAL_ROLES (a marshal, a medic). One query."""
    now = now or timezone.now()
    held = SafetyRole.objects.confirmed().standing().filter(action=OuterRef("pk"))
    actions = (
        Action.objects.filter(
            campaign=campaign,
            status=Action.Status.PUBLISHED,
            ends_at__gt=now,
            starts_at__lte=now + MISSING_ROLES_AHEAD,
        )
        .select_related("city", "hub")
        .annotate(**{f"has_{kind}": Exists(held.filter(kind=kind)) for kind in ESSENTIAL_ROLES})
        .order_by("starts_at", "id")
    )
    rows = []
    for action in actions:
        missing = [
            str(SafetyRole.Kind(kind).label)
            for kind in ESSENTIAL_ROLES
            if not getattr(action, f"has_{kind}")
        ]
        if missing:
            rows.append(MissingRoles(action=action, missing=missing))
    return rows


@dataclass
class DeskFilters:
    state: str = ""
    kind: str = ""
    city: str = ""

    @classmethod
    def from_query(cls, query: dict[str, str]) -> "DeskFilters":
        state = query.get("state", "")
        kind = query.get("kind", "")
        return cls(
            state=state if state in Incident.State.values else "",
            kind=kind if kind in Incident.Kind.values else "",
            city=query.get("city", "")[:32],
        )


@dataclass
class Desk:
    campaign: Campaign
    filters: DeskFilters
    incidents: list[Incident]
    counts: list[tuple[str, str, int]]
    cities: list[tuple[str, str]]
    missing_roles: list[MissingRoles]
    notices: list[EmergencyNotice]
    happening: list[Action]
    now: dt.datetime = field(default_factory=timezone.now)


def desk_for(campaign: Campaign, filters: DeskFilters, *, now: dt.datetime | None = None) -> Desk:
    """The safety desk of `campaign`: a fixed number of queries whatever the amount of data."""
    now = now or timezone.now()
    of_campaign = Incident.objects.filter(action__campaign=campaign)
    counts = {
        row["state"]: row["count"]
        for row in of_campaign.values("state").annotate(count=Count("id")).order_by()
    }
    shown = of_campaign
    if filters.state:
        shown = shown.filter(state=filters.state)
    if filters.kind:
        shown = shown.filter(kind=filters.kind)
    if filters.city:
        shown = shown.filter(action__city__geonameid=filters.city)
    incidents = list(
        shown.select_related("action", "action__city", "action__hub").order_by(
            "-happened_at", "-id"
        )[:DESK_INCIDENTS_LIMIT]
    )
    cities = sorted(
        {
            (str(row["action__city__geonameid"]), row["action__city__name"])
            for row in of_campaign.values("action__city__geonameid", "action__city__name")
        },
        key=lambda pair: pair[1],
    )
    notices = list(
        EmergencyNotice.objects.filter(
            action__campaign=campaign, created_at__gte=now - DESK_NOTICES_SINCE
        )
        .select_related("action", "action__city")
        .order_by("-created_at", "-id")[:DESK_NOTICES_LIMIT]
    )
    happening = list(
        Action.objects.filter(campaign=campaign, status=Action.Status.PUBLISHED)
        .happening(now)
        .select_related("city", "hub")
        .annotate(incident_count=Count("incidents"))
        .order_by("ends_at", "id")
    )
    return Desk(
        campaign=campaign,
        filters=filters,
        incidents=incidents,
        counts=[
            (value, str(label), counts.get(value, 0)) for value, label in Incident.State.choices
        ],
        cities=cities,
        missing_roles=actions_missing_roles(campaign, now=now),
        notices=notices,
        happening=happening,
        now=now,
    )


@pending_source
def incidents_to_handle(user: User) -> list[PendingItem]:
    """New incidents at the actions whose incidents the user handles."""
    rows = (
        Incident.objects.filter(
            state=Incident.State.NEW, action__in=where(user, "can_handle_incident").actions()
        )
        .select_related("action")
        .order_by("happened_at", "id")[:PENDING_LIMIT]
    )
    return [
        PendingItem(
            text=_("An incident was reported at “%(title)s”: %(kind)s. Acknowledge it.")
            % {"title": row.action.title, "kind": row.get_kind_display()},
            url=reverse("safety:incident", args=[row.public_id]),
            since=row.created_at,
        )
        for row in rows
    ]


@pending_source
def desks_to_watch(user: User) -> list[PendingItem]:
    """For the campaign's coordinators and safety coordinators: a campaign with actions
    happening now, and its safety desk. One query."""
    now = timezone.now()
    happening = Q(
        actions__status=Action.Status.PUBLISHED,
        actions__starts_at__lte=now,
        actions__ends_at__gt=now,
    )
    campaigns = (
        Campaign.objects.filter(pk__in=where(user, "can_view_safety_desk").campaigns())
        .annotate(happening=Count("actions", filter=happening))
        .filter(happening__gt=0)
        .order_by("-starts_at", "id")[:PENDING_LIMIT]
    )
    return [
        PendingItem(
            text=ngettext(
                "%(count)s action of %(campaign)s is happening now: watch its safety desk.",
                "%(count)s actions of %(campaign)s are happening now: watch its safety desk.",
                campaign.happening,
            )
            % {"count": localize_digits(campaign.happening), "campaign": campaign.title},
            url=reverse("safety:desk", args=[campaign.slug]),
        )
        for campaign in campaigns
    ]


def _has_confirmed(kind: str) -> Exists:
    return Exists(
        SafetyRole.objects.confirmed()
        .standing()
        .filter(action=OuterRef("pk"), kind=kind)
        .order_by()
        .values("pk")
    )


@dataclass(frozen=True)
class KindCoverage:
    """One kind of role at one action: how many hold it (confirmed) and how many offered it."""

    kind: SafetyRole.Kind
    confirmed: int
    offered: int

    @property
    def label(self) -> str:
        return str(self.kind.label)

    @property
    def is_filled(self) -> bool:
        return self.confirmed > 0


def role_coverage(action: Action) -> list[KindCoverage]:
    """Every kind of role at `action`, filled or missing, with counts: one query."""
    rows = (
        SafetyRole.objects.standing()
        .filter(action=action)
        .order_by()
        .values("kind", "state")
        .annotate(count=Count("pk"))
    )
    counts: dict[tuple[str, str], int] = {(row["kind"], row["state"]): row["count"] for row in rows}
    return [
        KindCoverage(
            kind=kind,
            confirmed=counts.get((kind.value, SafetyRole.State.CONFIRMED), 0),
            offered=counts.get((kind.value, SafetyRole.State.OFFERED), 0),
        )
        for kind in SafetyRole.Kind
    ]


@dataclass(frozen=True)
class CampaignCoverage:
    """Of the campaign's published actions not yet ended (`actions`), how many have a confirmed
    holder of `kind` (`filled`)."""

    kind: SafetyRole.Kind
    actions: int
    filled: int

    @property
    def label(self) -> str:
        return str(self.kind.label)

    @property
    def missing(self) -> int:
        return self.actions - self.filled


def campaign_role_coverage(
    campaign: Campaign, *, now: dt.datetime | None = None
) -> list[CampaignCoverage]:
    """Per kind of role, how many of the campaign's published actions not yet ended have it
    filled: counts only, one query."""
    now = now or timezone.now()
    filled = {
        kind.value: Count("pk", filter=Q(_has_confirmed(kind.value))) for kind in SafetyRole.Kind
    }
    totals = Action.objects.filter(
        campaign=campaign, status=Action.Status.PUBLISHED, ends_at__gt=now
    ).aggregate(actions=Count("pk"), **filled)
    return [
        CampaignCoverage(kind=kind, actions=totals["actions"], filled=totals[kind.value])
        for kind in SafetyRole.Kind
    ]


def action_roles(action: Action) -> QuerySet[SafetyRole]:
    """The roles at `action` that still stand, with their holders' pseudonym or display name:
    the contact of an RSVP and the address of an account are never loaded."""
    return (
        SafetyRole.objects.standing()
        .filter(action=action)
        .select_related("rsvp", "user")
        .only(
            "public_id",
            "kind",
            "state",
            "action_id",
            "confirmed_at",
            "user__display_name",
            "user__public_id",
            "rsvp__pseudonym",
            "rsvp__status",
        )
        .order_by("kind", "created_at", "pk")
    )


def rsvp_roles(rsvp: RSVP) -> list[SafetyRole]:
    """The roles a supporter offered or holds at their action."""
    return list(SafetyRole.objects.filter(rsvp=rsvp).order_by("kind"))


def briefing_of(action: Action) -> SafetyBriefing | None:
    briefing: SafetyBriefing | None = SafetyBriefing.objects.filter(action=action).first()
    return briefing


def rights_card_for(action: Action) -> RightsCard | None:
    """The know-your-rights card of the action's campaign for the action's country, if any."""
    if action.campaign_id is None:
        return None
    card: RightsCard | None = RightsCard.objects.filter(
        campaign_id=action.campaign_id, country_id=action.city.country_id
    ).first()
    return card


def rights_cards(campaign: Campaign) -> QuerySet[RightsCard]:
    return RightsCard.objects.filter(campaign=campaign).select_related("country")
