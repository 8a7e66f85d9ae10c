"""Mail to everyone who is still coming to an action and left an address.

One task per RSVP, each taking ids only: a retry resends one mail, not all of them, and the
outbox of the messaging issue can replace these tasks one for one.
"""

from streetwave.core.enqueue import enqueue_on_commit

from ..models import RSVP, Action


def live_rsvps_with_contact(action: Action):
    # The blind index is set exactly when a contact is, and unlike the encrypted contact it can
    # be filtered on.
    return RSVP.objects.filter(action=action, status__in=RSVP.LIVE).exclude(contact_index="")


def notify_live_rsvps(action: Action, task, *ids: int) -> int:
    """Schedule `task(*ids, rsvp_id)` for each live RSVP with a contact, after commit; returns
    how many were scheduled."""
    rsvp_ids = list(live_rsvps_with_contact(action).values_list("pk", flat=True))
    for rsvp_id in rsvp_ids:
        enqueue_on_commit(task, *ids, rsvp_id)
    return len(rsvp_ids)
