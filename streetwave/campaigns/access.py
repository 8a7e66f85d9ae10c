"""Fetch one campaign anyone or this user may see, or answer 404. The lists of a campaign are
in `queries.py`."""

from django.contrib.auth.models import AnonymousUser
from django.shortcuts import get_object_or_404

from streetwave.accounts.models import User
from streetwave.hubs.permissions import Permission, require

from .models import Campaign


def get_public_campaign(slug: str) -> Campaign:
    campaign: Campaign = get_object_or_404(Campaign.objects.public(), slug=slug)
    return campaign


def get_campaign_for(user: User | AnonymousUser, slug: str, permission: Permission) -> Campaign:
    """A campaign, in any status, that `user` holds `permission` on; 404 otherwise."""
    campaign = get_object_or_404(Campaign, slug=slug)
    require(user, permission, campaign)
    return campaign
