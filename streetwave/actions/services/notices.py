"""Messages to everyone who is still coming to an action and left an address, through the
outbox: queued inside the caller's transaction, sent after it commits."""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from streetwave.campaigns.models import Campaign
from streetwave.core.errors import DomainError
from streetwave.outbox.links import validate_links
from streetwave.outbox.services import queue_message, recipient

from ..models import RSVP, Action


def rsvps_with_contact(action: Action, statuses: Iterable[str] = RSVP.LIVE) -> QuerySet[RSVP]:
    # The blind index is set exactly when a contact is, and unlike the encrypted contact it can
    # be filtered on.
    return RSVP.objects.filter(action=action, status__in=statuses).exclude(contact_index="")


def message_rsvps(
    action: Action,
    kind: str,
    *,
    statuses: Iterable[str] = RSVP.LIVE,
    key: str = "",
    **data: Any,
) -> int:
    """Queue a message of `kind` to the action's RSVPs in `statuses` that have an address;
    returns how many it goes to (none when a message with `key` was queued before)."""
    recipients = [
        recipient("rsvp", pk)
        for pk in rsvps_with_contact(action, statuses).values_list("pk", flat=True)
    ]
    if not recipients:
        return 0
    message = queue_message(kind, recipients, key=key, data={"action": action.pk, **data})
    return len(recipients) if message is not None else 0


def check_links(text: str, campaign: Campaign | None, *, field: str = "body") -> None:
    """DomainError unless every link in what organizers write to supporters points to the site
    or to a host the action's campaign allows (broadcasts.links)."""
    try:
        validate_links(text, campaign.link_allowlist if campaign is not None else [])
    except ValidationError as error:
        raise DomainError(" ".join(error.messages), field=field) from error
