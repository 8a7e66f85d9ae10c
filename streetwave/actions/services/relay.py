"""Relay messages: organizers write to the supporters of an action without learning an address.

Each supporter with a contact gets their own mail, from the site's address, with no Reply-To:
nobody's address appears in anyone else's mail, and replies reach no one. A message to more
than RELAY_APPROVAL_THRESHOLD people is held for a second person, like a broadcast: one account
must not be able to tell hundreds of people that "the meeting point moved". The second person is
another organizer of the hub or, when it has none, a coordinator of the action's campaign
(hubs.permissions.second_person; the rule itself is streetwave.approvals).
"""

from django.db import transaction
from django.utils import timezone

from streetwave.accounts.models import User
from streetwave.approvals.models import Approval
from streetwave.audit.services import record
from streetwave.core.errors import NotAllowed
from streetwave.hubs.permissions import can

from ..models import RELAY_APPROVAL_THRESHOLD, Action, RelayMessage
from .held import approve_held
from .notices import check_links, message_rsvps, rsvps_with_contact


def _send(message: RelayMessage) -> int:
    return message_rsvps(message.action, "action.relay", relay=message.pk)


def send_relay_message(action: Action, *, body: str, actor: User) -> RelayMessage:
    """Send `body` to the action's live RSVPs with a contact, or hold it for a second person
    when it would reach more than RELAY_APPROVAL_THRESHOLD people. Links may point only to the
    site and the hosts the campaign allows: nothing is saved or sent otherwise."""
    if not can(actor, "can_message_attendees", action):
        raise NotAllowed()
    check_links(body, action.campaign)
    with transaction.atomic():
        held = rsvps_with_contact(action).count() > RELAY_APPROVAL_THRESHOLD
        message = RelayMessage.objects.create(
            action=action,
            requested_by=actor,
            body=body,
            approval=Approval.HELD if held else Approval.APPROVED,
        )
        if not held:
            message.recipient_count = _send(message)
            message.sent_at = message.approved_at = timezone.now()
            message.save(update_fields=["recipient_count", "sent_at", "approved_at", "updated_at"])
        # Counts only: the text is the organizers' prose and stays out of the log.
        record(
            "relay_message.held" if held else "relay_message.sent",
            actor=actor,
            target=action,
            hub=action.hub,
            data={"message": message.public_id, "recipients": message.recipient_count},
        )
    return message


def _send_approved(message: RelayMessage) -> None:
    message.recipient_count = _send(message)
    message.sent_at = message.approved_at
    message.save(update_fields=["recipient_count", "sent_at", "updated_at"])


def approve_relay_message(message: RelayMessage, *, actor: User) -> RelayMessage:
    """The second person releases a held message; it goes to whoever is live at that moment."""
    return approve_held(
        message,
        "can_approve_relay_message",
        actor=actor,
        then=_send_approved,
        verb="relay_message.approved",
        data=lambda row: {"message": row.public_id, "recipients": row.recipient_count},
    )
