"""How the outbox renders what moderation says (kind "moderation.action_removed"): the people
going to an action, or on its waitlist, learn that it was taken down and why, in their
language. The RSVPs are looked up again as for any mail about an action; one no longer live,
or whose address was erased, gets nothing."""

from streetwave.actions.mails import envelope, rsvps_to_mail
from streetwave.actions.models import Action
from streetwave.approvals.models import Approval
from streetwave.outbox.services import renderer

from .models import Takedown


@renderer("moderation.action_removed")
def render_removal(message, deliveries):
    takedown = Takedown.objects.filter(
        pk=message.data["takedown"], approval=Approval.APPROVED
    ).first()
    if takedown is None:
        return {}
    # Lazy: rendered in each recipient's language.
    reason = Takedown.Reason(takedown.reason).label
    rsvps = rsvps_to_mail(deliveries, id=message.data["action"], status=Action.Status.REMOVED)
    return {
        pk: envelope(rsvp, "moderation/mail/action_removed", {"reason": reason})
        for pk, rsvp in rsvps.items()
    }
