"""A campaign's news to an RSVP's address: started from the confirmation link mailed to it,
stopped from the link in every broadcast (the broadcasts app's public pages call these). The
flag lives on the RSVP, so the actions app writes it."""

from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from streetwave.accounts.models import User
from streetwave.audit.services import record

from ..models import RSVP


def confirm_campaign_news(rsvp: RSVP, *, actor: User | AnonymousUser | None = None) -> bool:
    """The owner of the address confirmed, by the link mailed to it, that they want the
    campaign's news there. Returns whether anything changed (a second click changes nothing)."""
    with transaction.atomic():
        confirmed = RSVP.objects.filter(pk=rsvp.pk, campaign_news=False).update(campaign_news=True)
        if confirmed:
            # The campaign only: nothing that points to the person.
            record("campaign.news_confirmed", target=rsvp.action.campaign)
    return bool(confirmed)


def withdraw_campaign_news(rsvp: RSVP, *, actor: User | AnonymousUser | None = None) -> int:
    """Stop the campaign's news to the address of `rsvp`: every RSVP of the same campaign with
    the same address stops asking for it, at once. Returns how many changed (0 when nothing
    was left to withdraw, so a second click is harmless)."""
    campaign_id = rsvp.action.campaign_id
    with transaction.atomic():
        rsvps = RSVP.objects.filter(campaign_news=True)
        if campaign_id is not None and rsvp.contact_index:
            rsvps = rsvps.filter(action__campaign_id=campaign_id, contact_index=rsvp.contact_index)
        else:
            rsvps = rsvps.filter(pk=rsvp.pk)
        withdrawn = rsvps.update(campaign_news=False)
        if withdrawn:
            # A count and the campaign only: nothing that points to the person.
            record(
                "campaign.news_withdrawn",
                target=rsvp.action.campaign,
                data={"rsvps": withdrawn},
            )
    return withdrawn
