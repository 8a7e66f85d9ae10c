"""Fetch what a user may see, or answer 404: a missing object and one the user may not touch
look exactly the same. Every rule comes from hubs.permissions."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from streetwave.accounts.models import User
from streetwave.actions.access import get_public_action
from streetwave.actions.models import Action
from streetwave.campaigns.access import get_campaign_for
from streetwave.campaigns.models import Campaign
from streetwave.hubs.access import get_public_hub
from streetwave.hubs.models import Hub
from streetwave.hubs.permissions import Permission, can, require, where

from .models import HubFlag, Report, Takedown

Asker = User | AnonymousUser

# What a coordinator may take down: what the public sees of the action, whatever its status.
TAKEN_DOWN_FROM = (Action.Status.PUBLISHED, Action.Status.CANCELLED, Action.Status.COMPLETED)


def get_action_to_report(public_id: str) -> Action:
    """A public action anyone may report."""
    return get_public_action(public_id)


def get_action_to_take_down_for(user: Asker, slug: str, public_id: str) -> tuple[Campaign, Action]:
    """A public action of the campaign `slug`, for one of its coordinators."""
    campaign = get_campaign_for(user, slug, "can_moderate")
    action = get_object_or_404(
        Action.objects.with_place().filter(status__in=TAKEN_DOWN_FROM),
        campaign=campaign,
        public_id=public_id,
    )
    return campaign, action


def get_hub_to_moderate_for(user: Asker, slug: str, public_id: str) -> tuple[Campaign, Hub]:
    """A hub the coordinator oversees (it answered the call of one of their campaigns), from the
    queue of the campaign `slug`."""
    campaign = get_campaign_for(user, slug, "can_moderate")
    hub = get_object_or_404(
        Hub.objects.select_related("city", "city__country"), public_id=public_id
    )
    require(user, "can_moderate", hub)
    return campaign, hub


def get_report_for(user: Asker, slug: str, public_id: str) -> Report:
    """A report about an action of the campaign `slug`, for one of its coordinators."""
    campaign = get_campaign_for(user, slug, "can_moderate")
    report: Report = get_object_or_404(
        Report.objects.select_related("action"), action__campaign=campaign, public_id=public_id
    )
    return report


def get_takedown_for(
    user: Asker, slug: str, public_id: str, permission: Permission = "can_moderate"
) -> Takedown:
    """A takedown of an action of the campaign `slug`, or of a hub its coordinator oversees."""
    campaign = get_campaign_for(user, slug, permission)
    takedown: Takedown = get_object_or_404(
        Takedown.objects.select_related("action", "hub"), public_id=public_id
    )
    subject = takedown.subject
    if isinstance(subject, Action):
        if subject.campaign_id != campaign.pk:
            raise Http404
    else:
        require(user, permission, subject)
    return takedown


def get_flag_for(user: Asker, slug: str, public_id: str) -> HubFlag:
    """A flag on a hub the coordinator oversees."""
    get_campaign_for(user, slug, "can_moderate")
    flag: HubFlag = get_object_or_404(HubFlag.objects.select_related("hub"), public_id=public_id)
    require(user, "can_moderate", flag.hub)
    return flag


def get_hub_to_flag_for(user: Asker, public_id: str) -> Hub:
    """A public hub, for a lead of some other active hub (who flags it as that hub)."""
    hub = get_public_hub(public_id)
    if not hubs_flagging_as(user).exclude(pk=hub.pk).exists():
        raise Http404
    return hub


def hubs_flagging_as(user: Asker) -> QuerySet[Hub]:
    """The active hubs `user` may flag another hub as."""
    return where(user, "can_flag_hub").hubs().filter(status=Hub.Status.ACTIVE)


def may_flag_as(user: Asker, hub: Hub) -> bool:
    return hub.is_active and can(user, "can_flag_hub", hub)
