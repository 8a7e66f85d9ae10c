"""Fetch what a user may see, or answer 404: a missing broadcast and one the user may not touch
look exactly the same. Every rule comes from hubs.permissions."""

from django.contrib.auth.models import AnonymousUser
from django.shortcuts import get_object_or_404

from streetwave.accounts.models import User
from streetwave.actions.models import RSVP
from streetwave.actions.news_links import NEWS_CONFIRMATION_SALT, UNSUBSCRIBE_SALT, rsvp_signer
from streetwave.campaigns.access import get_campaign_for
from streetwave.core.access import get_for_link
from streetwave.hubs.access import get_hub_for
from streetwave.hubs.models import Hub
from streetwave.hubs.permissions import Permission

from .audiences import broadcasts_received_by
from .models import Broadcast


def get_campaign_broadcast_for(
    user: User | AnonymousUser, slug: str, public_id: str, permission: Permission
) -> Broadcast:
    """A broadcast of a campaign, for a coordinator whose authority comes from that campaign."""
    campaign = get_campaign_for(user, slug, permission)
    broadcast = get_object_or_404(
        Broadcast.objects.select_related("requested_by", "approved_by"),
        campaign=campaign,
        public_id=public_id,
    )
    broadcast.campaign = campaign
    return broadcast


def get_hub_broadcast_for(
    user: User | AnonymousUser, hub_id: str, public_id: str
) -> tuple[Hub, Broadcast]:
    """A broadcast that `hub` received, for one of its leads or organizers."""
    hub = get_hub_for(user, hub_id, "can_acknowledge_broadcast")
    broadcast = get_object_or_404(
        broadcasts_received_by(hub).select_related("campaign"), public_id=public_id
    )
    return hub, broadcast


def _rsvp_for_signed_link(token: str, salt: str) -> RSVP:
    """The RSVP a signed news link was made for. A forged or mangled link, one made for another
    purpose, or one for an RSVP outside any campaign, is a plain 404."""
    return get_for_link(
        RSVP.objects.select_related("action", "action__campaign"),
        token,
        field="public_id",
        decode=rsvp_signer(salt).unsign,
        action__campaign__isnull=False,
    )


def get_rsvp_for_unsubscribe(token: str) -> RSVP:
    return _rsvp_for_signed_link(token, UNSUBSCRIBE_SALT)


def get_rsvp_for_news_confirmation(token: str) -> RSVP:
    return _rsvp_for_signed_link(token, NEWS_CONFIRMATION_SALT)
