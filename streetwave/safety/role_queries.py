"""The lists of the safety roles' pages. Roles are shown to organizers by the holder's pseudonym
or display name, never a contact; to coordinators as counts, never people. (The safety desk's
`actions_missing_roles` is in queries.py.)"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from streetwave.actions.models import RSVP, Action
from streetwave.campaigns.models import Campaign

from .models import RightsCard, SafetyBriefing, SafetyRole


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
