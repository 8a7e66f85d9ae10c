from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from streetwave.actions.models import Action
from streetwave.hubs.permissions import require

from .models import Campaign


def get_public_campaign(slug: str) -> Campaign:
    return get_object_or_404(Campaign.objects.public(), slug=slug)


def get_campaign_for(user, slug: str, permission: str) -> Campaign:
    """A campaign, in any status, that `user` holds `permission` on; 404 otherwise."""
    campaign = get_object_or_404(Campaign, slug=slug)
    require(user, permission, campaign)
    return campaign


def get_public_actions(campaign: Campaign) -> QuerySet[Action]:
    """The campaign's actions anyone may see, with only the columns the public lists, the map
    and the wave show: one query, never a join to RSVPs."""
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
