"""How the outbox renders what moderation says (kind "moderation.action_removed"): the people
going to an action, or on its waitlist, learn that it was taken down and why, in their
language. Each renderer looks the RSVPs up again; one no longer live, or whose address was
erased, gets nothing."""

from django.conf import settings

from streetwave.actions.models import RSVP, Action
from streetwave.approvals.models import Approval
from streetwave.core.mail import absolute_url, render_mail
from streetwave.outbox.channels import Envelope
from streetwave.outbox.services import recipient_ids, renderer

from .models import Takedown


@renderer("moderation.action_removed")
def render_removal(message, deliveries):
    takedown = Takedown.objects.filter(
        pk=message.data["takedown"], approval=Approval.APPROVED
    ).first()
    if takedown is None:
        return {}
    wanted = recipient_ids(deliveries, "rsvp")
    rsvps = (
        RSVP.objects.select_related(
            "action", "action__city", "action__city__country", "action__campaign"
        )
        .filter(
            pk__in=wanted.values(),
            status__in=RSVP.LIVE,
            action_id=message.data["action"],
            action__status=Action.Status.REMOVED,
        )
        .exclude(contact_index="")
        .in_bulk()
    )
    envelopes = {}
    for pk, rsvp_id in wanted.items():
        rsvp = rsvps.get(rsvp_id)
        if rsvp is None:
            continue
        action = rsvp.action
        mail = render_mail(
            "moderation/mail/action_removed",
            {
                "action": action,
                # Lazy: rendered in the recipient's language.
                "reason": Takedown.Reason(takedown.reason).label,
                "site_url": settings.SITE_URL,
                "action_url": absolute_url(
                    "actions:detail", action.public_id, language=rsvp.language
                ),
            },
            language=rsvp.language,
        )
        envelopes[pk] = Envelope(to=rsvp.contact, mail=mail)
    return envelopes
