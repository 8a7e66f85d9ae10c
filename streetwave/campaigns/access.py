"""Fetch one campaign anyone or this user may see, or answer 404. The lists of a campaign are
in `queries.py`."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from streetwave.accounts.models import User
from streetwave.hubs.permissions import Permission, require, where

from .models import Campaign


def get_public_campaign(slug: str) -> Campaign:
    campaign: Campaign = get_object_or_404(Campaign.objects.public(), slug=slug)
    return campaign


def get_campaign_for(user: User | AnonymousUser, slug: str, permission: Permission) -> Campaign:
    """A campaign, in any status, that `user` holds `permission` on; 404 otherwise."""
    campaign = get_object_or_404(Campaign, slug=slug)
    require(user, permission, campaign)
    return campaign


def get_instance_campaigns_for(user: User | AnonymousUser) -> QuerySet[Campaign]:
    """The operator's console: every campaign of the instance, for whoever runs it (the
    permission is asked of the instance itself, `None`); 404 for everyone else."""
    require(user, "can_run_instance", None)
    campaigns: QuerySet[Campaign] = where(user, "can_run_instance").campaigns()
    return campaigns
