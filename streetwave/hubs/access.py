"""Fetch what a user may see, or 404: a hub, a proposal, an invitation, a campaign to manage.

A refusal is the same 404 as a missing object, so these answers reveal nothing about what exists.
"""

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from streetwave.campaigns.access import get_campaign_for
from streetwave.campaigns.models import Campaign
from streetwave.core.access import get_for_link

from .models import CampaignRole, Hub, HubApplication, Invitation, Membership, Participation
from .permissions import Asker, Permission, require, where


def get_public_hub(public_id: str) -> Hub:
    """A public hub; one in a high-risk country is the same 404 as a missing one, for everyone
    (its own people work on its organizer pages)."""
    hub: Hub = get_object_or_404(
        Hub.objects.public().select_related("city", "city__country", "sponsor"),
        public_id=public_id,
    )
    return hub


def get_application_for_token(token: str) -> HubApplication:
    """The unconfirmed proposal a verification link points to. A wrong, expired or used link is a
    plain 404."""
    return get_for_link(
        HubApplication.objects.select_related("hub", "hub__city", "hub__city__country"),
        token,
        field="token_hash",
        verified_at__isnull=True,
        expires_at__gt=timezone.now(),
        hub__status=Hub.Status.PROPOSED,
    )


def get_invitation_for_token(token: str) -> Invitation:
    """The open invitation an accept link points to. A wrong, expired or used link, or one to a
    hub that is no longer active or a campaign that has ended, is a plain 404."""
    usable = Q(hub__status=Hub.Status.ACTIVE) | Q(
        campaign__status__in=[Campaign.Status.DRAFT, Campaign.Status.LIVE]
    )
    invitation: Invitation = get_for_link(
        Invitation.objects.open().filter(usable).select_related("hub", "hub__city", "campaign"),
        token,
        field="token_hash",
    )
    return invitation


def get_hub_for(user: Asker, public_id: str, permission: Permission) -> Hub:
    """A hub `user` holds `permission` on, in any status (its organizers still see a suspended
    hub); 404 otherwise."""
    hub = get_object_or_404(
        Hub.objects.select_related("city", "city__country", "sponsor"), public_id=public_id
    )
    require(user, permission, hub)
    return hub


def get_membership_for(user: Asker, hub: Hub, user_public_id: str) -> Membership:
    """A membership of `hub` that `user` may manage; 404 otherwise."""
    require(user, "can_manage_members", hub)
    return get_object_or_404(
        Membership.objects.select_related("user", "hub"), hub=hub, user__public_id=user_public_id
    )


def get_proposal_for_voucher(user: Asker, public_id: str) -> Hub:
    """A confirmed proposal, for an organizer who may vouch as a member of some active hub."""
    if not where(user, "can_vouch_hub").hubs().filter(status=Hub.Status.ACTIVE).exists():
        raise Http404
    proposal: Hub = get_object_or_404(
        Hub.objects.open_to_vouchers().select_related("city", "city__country", "application"),
        public_id=public_id,
    )
    return proposal


def get_proposal_for_approval(user: Asker, slug: str, public_id: str) -> tuple[Campaign, Hub]:
    """A confirmed proposal and the campaign whose coordinator `user` approves it as."""
    campaign = get_campaign_for(user, slug, "can_approve_hub")
    proposal: Hub = get_object_or_404(
        Hub.objects.awaiting_vouches().select_related("city", "city__country", "application"),
        public_id=public_id,
    )
    return campaign, proposal


def get_coordinator_for(user: Asker, campaign: Campaign, user_public_id: str) -> CampaignRole:
    """A coordinator's role in `campaign` that `user` may take away; 404 otherwise."""
    require(user, "can_appoint_coordinator", campaign)
    role: CampaignRole = get_object_or_404(
        CampaignRole.objects.select_related("user"),
        campaign=campaign,
        user__public_id=user_public_id,
    )
    return role


def get_answer_for_acceptance(
    user: Asker, slug: str, hub_public_id: str
) -> tuple[Campaign, Participation]:
    """A hub's answer to the call of a campaign whose coordinator `user` accepts it as."""
    campaign = get_campaign_for(user, slug, "can_approve_hub")
    participation: Participation = get_object_or_404(
        Participation.objects.select_related("hub", "campaign"),
        campaign=campaign,
        hub__public_id=hub_public_id,
    )
    return campaign, participation
