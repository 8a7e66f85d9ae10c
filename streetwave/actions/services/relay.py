"""Relay messages: organizers write to the supporters of an action without learning an address.

Each supporter with a contact gets their own mail, from the site's address, with no Reply-To:
nobody's address appears in anyone else's mail, and replies reach no one. A message to more
than RELAY_APPROVAL_THRESHOLD people waits for a second organizer, like a broadcast: one
account must not be able to tell hundreds of people that "the meeting point moved".
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from streetwave.audit.services import record
from streetwave.core.errors import Conflict, NotAllowed
from streetwave.core.locking import lock
from streetwave.hubs.permissions import can

from ..models import RELAY_APPROVAL_THRESHOLD, Action, RelayMessage
from .notices import check_links, message_rsvps, rsvps_with_contact


class MessageAlreadySent(Conflict):
    default_message = _("This message has already been sent.")


class AuthorCannotApprove(NotAllowed):
    default_message = _("A second organizer must approve this message: you wrote it yourself.")


def _send(message: RelayMessage) -> int:
    return message_rsvps(message.action, "action.relay", relay=message.pk)


def send_relay_message(action: Action, *, body: str, actor) -> RelayMessage:
    """Send `body` to the action's live RSVPs with a contact, or hold it for a second organizer
    when it would reach more than RELAY_APPROVAL_THRESHOLD people. Links may point only to the
    site and the hosts the campaign allows: nothing is saved or sent otherwise."""
    if not can(actor, "can_message_attendees", action):
        raise NotAllowed()
    check_links(body, action.campaign)
    with transaction.atomic():
        held = rsvps_with_contact(action).count() > RELAY_APPROVAL_THRESHOLD
        message = RelayMessage.objects.create(
            action=action,
            author=actor,
            body=body,
            status=RelayMessage.Status.HELD if held else RelayMessage.Status.SENT,
        )
        if not held:
            message.recipient_count = _send(message)
            message.sent_at = timezone.now()
            message.save(update_fields=["recipient_count", "sent_at", "updated_at"])
        # Counts only: the text is the organizers' prose and stays out of the log.
        record(
            "relay_message.held" if held else "relay_message.sent",
            actor=actor,
            target=action,
            hub=action.hub,
            data={"message": message.public_id, "recipients": message.recipient_count},
        )
    return message


def approve_relay_message(message: RelayMessage, *, actor) -> RelayMessage:
    """A second organizer releases a held message; it goes to whoever is live at that moment."""
    with transaction.atomic():
        message = (
            lock(RelayMessage.objects.filter(pk=message.pk))
            .select_related("action", "action__hub")
            .get()
        )
        if not can(actor, "can_approve_relay_message", message.action):
            raise NotAllowed()
        if not message.is_held:
            raise MessageAlreadySent()
        if message.author_id == actor.pk:
            raise AuthorCannotApprove()
        message.status = RelayMessage.Status.SENT
        message.approved_by = actor
        message.recipient_count = _send(message)
        message.sent_at = timezone.now()
        message.save(
            update_fields=["status", "approved_by", "recipient_count", "sent_at", "updated_at"]
        )
        record(
            "relay_message.approved",
            actor=actor,
            target=message.action,
            hub=message.action.hub,
            data={"message": message.public_id, "recipients": message.recipient_count},
        )
    return message
