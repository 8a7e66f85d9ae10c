"""Broadcasts from a campaign's coordinators and their acknowledgements; each is sent through
the outbox (streetwave.outbox) as one message."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from streetwave.approvals.models import HeldForApproval
from streetwave.core.models import BaseModel
from streetwave.outbox.models import Message

# A broadcast to more people than this waits for a second organizer.
APPROVAL_THRESHOLD = 50


class Broadcast(HeldForApproval, BaseModel):
    """A message from a campaign's coordinators to an audience of the campaign, with a subject
    and body per language. (Organizers write to the people of one action through relay
    messages, in the actions app.)"""

    class Audience(models.TextChoices):
        HUBS = "hubs", _("Leads and organizers of the campaign's hubs")
        SUPPORTERS = "supporters", _("Supporters who asked for the campaign's news")

    class Status(models.TextChoices):
        HELD = "held", _("Awaiting a second coordinator")
        SCHEDULED = "scheduled", _("Scheduled")
        SENT = "sent", _("Sent")
        CANCELLED = "cancelled", _("Cancelled")

    audience = models.CharField(_("audience"), max_length=16, choices=Audience.choices)
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="broadcasts"
    )
    # {"fa": {"subject": ..., "body": ...}, ...}; a recipient without their language gets the
    # campaign's first language that has a text.
    texts = models.JSONField(_("texts"), default=dict)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    # Unset: at once, or as soon as it is approved.
    send_at = models.DateTimeField(_("send at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    recipient_count = models.PositiveIntegerField(_("recipients"), default=0)
    message = models.OneToOneField(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="broadcast"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("broadcast")
        verbose_name_plural = _("broadcasts")
        indexes = [models.Index(fields=["status", "send_at"], name="broadcast_due_idx")]
        constraints = [
            # `status` is where the broadcast is on its way out, `approval` the two-person rule
            # (written by `requested_by`): held in one is held in the other.
            models.CheckConstraint(
                condition=Q(status="held", approval="held")
                | (~Q(status="held") & ~Q(approval="held")),
                name="broadcast_held_in_both",
            )
        ]

    def __str__(self):
        return f"{self.audience}:{self.status}"


class Acknowledgement(models.Model):
    """A hub lead or organizer confirming they read a coordinators' broadcast."""

    broadcast = models.ForeignKey(
        Broadcast, on_delete=models.CASCADE, related_name="acknowledgements"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    hub = models.ForeignKey("hubs.Hub", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["broadcast", "user"], name="acknowledged_once")
        ]

    def __str__(self):
        return f"{self.broadcast_id}:{self.user_id}"
