"""Messages to everyone who is still coming to an action and left an address, through the
outbox: queued inside the caller's transaction, sent after it commits."""

from streetwave.broadcasts.outbox import queue_message

from ..messages import rsvp_recipient
from ..models import RSVP, Action


def rsvps_with_contact(action: Action, statuses=RSVP.LIVE):
    # The blind index is set exactly when a contact is, and unlike the encrypted contact it can
    # be filtered on.
    return RSVP.objects.filter(action=action, status__in=statuses).exclude(contact_index="")


def message_rsvps(action: Action, kind: str, *, statuses=RSVP.LIVE, key="", **data) -> int:
    """Queue a message of `kind` to the action's RSVPs in `statuses` that have an address;
    returns how many it goes to."""
    recipients = [
        rsvp_recipient(pk)
        for pk in rsvps_with_contact(action, statuses).values_list("pk", flat=True)
    ]
    if recipients:
        queue_message(kind, recipients, key=key, data={"action": action.pk, **data})
    return len(recipients)
