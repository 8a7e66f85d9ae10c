"""The lists of broadcasts that pages show. One object for a user, or 404, is `access.py`'s.

On the organizer dashboard: held broadcasts for the other coordinators of their campaign, and
broadcasts a hub's leads and organizers have not confirmed reading yet. Registered with
hubs.queries (its app imports every app's `queries` module at start-up); each source is one
query."""

import datetime as dt

from django.db.models import Count, Exists, OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from streetwave.accounts.models import User
from streetwave.actions.models import Action
from streetwave.campaigns.models import Campaign
from streetwave.core.i18n import localize_digits
from streetwave.hubs.models import Hub
from streetwave.hubs.permissions import Asker, where
from streetwave.hubs.queries import AUDIT_LABELS, PENDING_LIMIT, PendingItem, pending_source
from streetwave.outbox.models import Delivery

from . import audiences
from .models import Broadcast

# A broadcast not confirmed for this long stops asking: it is history by then.
ACKNOWLEDGEMENT_WINDOW = dt.timedelta(days=30)

AUDIT_LABELS.update(
    {
        "broadcast.acknowledged": gettext_lazy("Broadcast from the coordinators confirmed read"),
    }
)


def campaign_broadcasts(campaign: Campaign) -> QuerySet[Broadcast]:
    """A campaign's broadcasts, newest first, with their author and how many confirmed reading."""
    return (
        Broadcast.objects.filter(campaign=campaign)
        .select_related("requested_by")
        .annotate(acknowledgement_count=Count("acknowledgements"))
        .order_by("-created_at", "-id")
    )


def hub_broadcasts(hub: Hub, user: Asker) -> QuerySet[Broadcast]:
    """The broadcasts `hub` received, newest first, each saying whether `user` confirmed it."""
    return audiences.with_acknowledgement_of(
        audiences.broadcasts_received_by(hub).select_related("campaign"), user
    ).order_by("-sent_at", "-id")


def delivery_counts(broadcast: Broadcast) -> list[tuple[str, int]]:
    """How many deliveries of the broadcast's message are in each status, in the order of the
    statuses."""
    if broadcast.message_id is None:
        return []
    counts = dict(
        Delivery.objects.filter(message_id=broadcast.message_id)
        .order_by()
        .values_list("status")
        .annotate(count=Count("id"))
    )
    return [
        (str(label), counts[value]) for value, label in Delivery.Status.choices if value in counts
    ]


# -- the organizer dashboard -------------------------------------------------------------------


@pending_source
def broadcasts_to_approve(user: User) -> list[PendingItem]:
    """For coordinators: held broadcasts of their campaigns that someone else wrote."""
    held = (
        Broadcast.objects.filter(
            status=Broadcast.Status.HELD,
            campaign__in=where(user, "can_approve_broadcast").campaigns(),
        )
        .exclude(requested_by=user)
        .select_related("campaign")
        .order_by("created_at", "id")[:PENDING_LIMIT]
    )
    items = []
    for broadcast in held:
        count = broadcast.recipient_count
        names = {"campaign": broadcast.campaign.title, "count": localize_digits(count)}
        if broadcast.audience == Broadcast.Audience.HUBS:
            text = ngettext(
                "A broadcast of “%(campaign)s” to %(count)s hub lead or organizer waits for "
                "your approval.",
                "A broadcast of “%(campaign)s” to %(count)s hub leads and organizers waits for "
                "your approval.",
                count,
            )
        else:
            text = ngettext(
                "A broadcast of “%(campaign)s” to %(count)s supporter waits for your approval.",
                "A broadcast of “%(campaign)s” to %(count)s supporters waits for your approval.",
                count,
            )
        items.append(
            PendingItem(
                text=text % names,
                url=reverse(
                    "broadcasts:manage_detail", args=[broadcast.campaign.slug, broadcast.public_id]
                ),
                since=broadcast.created_at,
            )
        )
    return items


@pending_source
def broadcasts_to_acknowledge(user: User) -> list[PendingItem]:
    """For a hub's leads and organizers: recent broadcasts to the hubs of a campaign their hub
    takes part in, which they have not confirmed reading."""
    hubs = (
        where(user, "can_acknowledge_broadcast")
        .hubs()
        .filter(status=Hub.Status.ACTIVE)
        .values("pk")
    )
    taking_part = Action.objects.filter(campaign=OuterRef("campaign_id"), hub_id__in=hubs)
    broadcasts = (
        Broadcast.objects.filter(
            audience=Broadcast.Audience.HUBS,
            status=Broadcast.Status.SENT,
            sent_at__gte=timezone.now() - ACKNOWLEDGEMENT_WINDOW,
        )
        .filter(Exists(taking_part))
        .exclude(acknowledgements__user=user)
        .annotate(
            hub_public_id=Subquery(taking_part.order_by("hub_id").values("hub__public_id")[:1])
        )
        .select_related("campaign")
        .order_by("sent_at", "id")[:PENDING_LIMIT]
    )
    return [
        PendingItem(
            text=_(
                "The coordinators of “%(campaign)s” sent a message to the hubs. Please read it "
                "and confirm."
            )
            % {"campaign": broadcast.campaign.title},
            url=reverse(
                "broadcasts:hub_detail", args=[broadcast.hub_public_id, broadcast.public_id]
            ),
            since=broadcast.sent_at,
        )
        for broadcast in broadcasts
    ]
