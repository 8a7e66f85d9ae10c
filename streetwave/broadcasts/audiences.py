"""Who a broadcast reaches, and who confirmed reading it. Read side only: the services, the
renderer, the pages and the dashboard ask the same questions here, so a broadcast is counted,
sent, rendered and shown by one rule.

- The hubs of a campaign are the active hubs that answered its call (`hubs.Participation`),
  accepted where the campaign's coordinators accept each hub: a hub answers before or when it
  plans its first action there, so a hub preparing its first action takes part already.
- HUBS reaches the people holding `can_acknowledge_broadcast` (leads, organizers and safety
  leads) in those hubs, each once however many hubs they belong to, in their own language.
- SUPPORTERS reaches the RSVPs of the campaign's actions that asked for the campaign's news,
  with an address and not cancelled, one per address (the blind index): the latest RSVP of an
  address speaks for it, so its language is the one the person chose last.
"""

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet

from streetwave.actions.models import RSVP
from streetwave.campaigns.models import Campaign
from streetwave.campaigns.risk import high_risk_hub_q
from streetwave.hubs.models import Hub, Membership, Participation
from streetwave.hubs.permissions import memberships_holding
from streetwave.outbox.services import recipient

from .models import Acknowledgement, Broadcast


def hubs_taking_part(campaign: Campaign) -> QuerySet[Hub]:
    return Hub.objects.active().filter(
        pk__in=Participation.objects.accepted().filter(campaign=campaign).values("hub_id")
    )


def hub_memberships(campaign: Campaign) -> QuerySet[Membership]:
    """The memberships that make someone a recipient of the campaign's HUBS broadcasts."""
    return memberships_holding("can_acknowledge_broadcast").filter(
        hub__in=hubs_taking_part(campaign)
    )


def supporter_rsvps(campaign: Campaign) -> QuerySet[RSVP]:
    """Every RSVP that asked for the campaign's news and can still receive it (several per
    address; see `recipients` for one per address)."""
    return (
        RSVP.objects.filter(action__campaign=campaign, campaign_news=True)
        .exclude(status=RSVP.Status.CANCELLED)
        .exclude(contact_index="")
    )


def recipients(campaign: Campaign, audience: str) -> list[str]:
    """The outbox recipients ("user:<id>", "rsvp:<id>") of a broadcast to `audience`, now."""
    if audience == Broadcast.Audience.HUBS:
        user_ids = hub_memberships(campaign).order_by("user_id").values_list("user_id", flat=True)
        return [recipient("user", pk) for pk in dict.fromkeys(user_ids)]
    latest = (
        supporter_rsvps(campaign)
        .order_by()
        .values("contact_index")
        .annotate(latest=Max("id"))
        .values_list("latest", flat=True)
    )
    return [recipient("rsvp", pk) for pk in sorted(latest)]


def count_recipients(campaign: Campaign, audience: str) -> int:
    """How many people a broadcast to `audience` would reach now, in one query."""
    if audience == Broadcast.Audience.HUBS:
        return hub_memberships(campaign).values("user_id").distinct().count()
    return supporter_rsvps(campaign).values("contact_index").distinct().count()


def broadcasts_received_by(hub: Hub) -> QuerySet[Broadcast]:
    """The HUBS broadcasts sent in the campaigns `hub` takes part in. A hub that joins a
    campaign later finds the earlier broadcasts too: they are its instructions as well."""
    if not hub.is_active:
        return Broadcast.objects.none()
    return Broadcast.objects.filter(
        audience=Broadcast.Audience.HUBS,
        status=Broadcast.Status.SENT,
        campaign__in=Participation.objects.accepted().filter(hub=hub).values("campaign_id"),
    )


def with_acknowledgement_of(broadcasts: QuerySet[Broadcast], user) -> QuerySet[Broadcast]:
    """Annotate `acknowledged`: whether `user` confirmed reading each broadcast."""
    mine = Acknowledgement.objects.filter(broadcast=OuterRef("pk"), user=user)
    return broadcasts.annotate(acknowledged=Exists(mine))


def acknowledgements_by_hub(broadcast: Broadcast) -> QuerySet:
    """One row per hub taking part: how many of its leads and of its other organizers (safety
    leads among them) there are, and how many of them confirmed reading `broadcast`; the hubs
    with the fewest confirmations first. Counts only: who belongs to a hub stays with its lead.
    A person who belongs to two hubs confirms once, for both. Hubs in high-risk countries are
    left out: coordinators never see them named, nor how many people they have."""
    acknowledged = Q(
        user_id__in=Acknowledgement.objects.filter(broadcast=broadcast).values("user_id")
    )
    lead = Q(role=Membership.Role.LEAD)
    organizer = Q(role__in=[Membership.Role.ORGANIZER, Membership.Role.SAFETY_LEAD])
    return (
        hub_memberships(broadcast.campaign)
        .exclude(high_risk_hub_q("hub__"))
        .values("hub_id", "hub__public_id", "hub__name")
        .annotate(
            leads=Count("id", filter=lead),
            leads_acknowledged=Count("id", filter=lead & acknowledged),
            organizers=Count("id", filter=organizer),
            organizers_acknowledged=Count("id", filter=organizer & acknowledged),
            people=Count("id"),
            acknowledged=Count("id", filter=acknowledged),
        )
        .order_by("acknowledged", "hub__name", "hub_id")
    )
