import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from streetwave.actions.models import Action, phase_between
from streetwave.hubs.permissions import Permission, require
from streetwave.places.models import City

from .models import Campaign


def get_public_campaign(slug: str) -> Campaign:
    return get_object_or_404(Campaign.objects.public(), slug=slug)


def get_campaign_for(user, slug: str, permission: Permission) -> Campaign:
    """A campaign, in any status, that `user` holds `permission` on; 404 otherwise."""
    campaign = get_object_or_404(Campaign, slug=slug)
    require(user, permission, campaign)
    return campaign


def get_public_actions(campaign: Campaign) -> QuerySet[Action]:
    """The campaign's actions anyone may see, with only the columns the public lists show: one
    query, never a join to RSVPs."""
    return (
        Action.objects.public()
        .filter(campaign=campaign)
        .select_related("city", "city__country")
        .only(
            "public_id",
            "title",
            "starts_at",
            "ends_at",
            "status",
            "latitude",
            "longitude",
            "city__name",
            "city__name_fa",
            "city__timezone",
            "city__latitude",
            "city__longitude",
            "city__country__code",
            "city__country__name",
            "city__country__name_fa",
        )
    )


@dataclass(frozen=True, slots=True)
class PublicAction:
    """What the map and the wave show of a public action: a plain row with its city, which the
    campaign's actions in that city share."""

    pk: int
    public_id: str
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: str
    latitude: float
    longitude: float
    city: City

    @property
    def city_id(self) -> int:
        return self.city.pk

    @property
    def local_start(self) -> dt.datetime:
        return self.starts_at.astimezone(self.city.zone)

    @property
    def local_end(self) -> dt.datetime:
        return self.ends_at.astimezone(self.city.zone)

    def phase_at(self, now: dt.datetime) -> Action.Phase:
        return phase_between(self.starts_at, self.ends_at, now)


def public_action_rows(campaign: Campaign) -> list[PublicAction]:
    """The campaign's public actions by start, as plain rows and one query for their cities: a
    map or a wave of 10,000 actions builds in a fraction of the time model instances take."""
    rows = (
        Action.objects.public()
        .filter(campaign=campaign)
        .order_by("starts_at", "pk")
        .values_list(
            "pk", "public_id", "title", "starts_at", "ends_at", "status", "latitude", "longitude",
            "city_id",
        )
    )  # fmt: skip
    cities = City.objects.filter(pk__in=rows.values("city_id")).in_bulk()
    return [
        PublicAction(pk, public_id, title, starts, ends, status, lat, lon, cities[city_id])
        for pk, public_id, title, starts, ends, status, lat, lon, city_id in rows
    ]
