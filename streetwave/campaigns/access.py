"""Fetch one campaign anyone or this user may see, or answer 404. The lists of a campaign are
in `queries.py`."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from streetwave.accounts.models import User
from streetwave.core.errors import NotAllowed
from streetwave.hubs.permissions import Permission, can, require, where

from .models import Campaign


def get_public_campaign(slug: str) -> Campaign:
    campaign: Campaign = get_object_or_404(Campaign.objects.public(), slug=slug)
    return campaign


def get_campaign_for(user: User | AnonymousUser, slug: str, permission: Permission) -> Campaign:
    """A campaign, in any status, that `user` holds `permission` on; 404 otherwise."""
    campaign = get_object_or_404(Campaign, slug=slug)
    require(user, permission, campaign)
    return campaign


def get_campaign_to_show(user: User | AnonymousUser, slug: str) -> Campaign:
    """A campaign's public pages: an open, ended or archived campaign for anyone; a draft only
    for those who may preview it (its coordinators and the operators), 404 for everyone else.
    The caller marks a draft's page as a preview, which no shared cache keeps."""
    campaign: Campaign = get_object_or_404(Campaign, slug=slug)
    if campaign.status == Campaign.Status.DRAFT:
        require(user, "can_preview_campaign", campaign)
    return campaign


def check_campaign_permission(
    user: User | AnonymousUser, permission: Permission, campaign: Campaign | None = None
) -> None:
    """For services, which check again whatever the caller checked: NotAllowed unless `user`
    holds `permission` (on `campaign`, or anywhere for an instance-wide one)."""
    if not can(user, permission, campaign):
        raise NotAllowed()


def get_instance_campaigns_for(user: User | AnonymousUser) -> QuerySet[Campaign]:
    """The operator's console: every campaign of the instance, for whoever runs it (the
    permission is asked of the instance itself, `None`); 404 for everyone else."""
    require_operator(user)
    campaigns: QuerySet[Campaign] = where(user, "can_run_instance").campaigns()
    return campaigns


def require_operator(user: User | AnonymousUser) -> None:
    """404 unless `user` runs the instance."""
    require(user, "can_run_instance", None)


def require_campaign_creator(user: User | AnonymousUser) -> None:
    """404 unless `user` may create campaigns (an operator)."""
    require(user, "can_create_campaign", None)
