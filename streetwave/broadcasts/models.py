"""The outbox and the broadcasts that fill it.

A `Message` is one thing said to many people (a reminder of one action, a coordinator's call);
a `Delivery` is that message on its way to one recipient over one channel. Writers create both
inside their own transaction; workers send deliveries after commit and record each outcome, so
a crash loses nothing and a delivery already sent is never sent again.

A delivery names its recipient as "<type>:<id>" ("rsvp:12", "user:7"): the address stays on the
recipient's own row (encrypted for supporters) and is erased with it, never copied here.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from streetwave.core.crypto import EncryptedTextField
from streetwave.core.models import BaseModel

# A broadcast to more people than this waits for a second organizer.
APPROVAL_THRESHOLD = 50

# Domain models are named by label: the actions app queues messages through the outbox, so the
# outbox must not import it.


class Message(models.Model):
    # What renders it (see outbox.renderer), e.g. "action.reminder".
    kind = models.CharField(max_length=32)
    # Makes queueing idempotent: a second message with the same key is never created.
    key = models.CharField(max_length=120, unique=True)
    # Ids of the rows the renderer needs, never personal data.
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.key


class Delivery(BaseModel):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed permanently")
        # The recipient no longer needs it: the RSVP was cancelled, the address erased.
        SKIPPED = "skipped", _("Not needed any more")

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="deliveries")
    recipient = models.CharField(max_length=40)
    channel = models.CharField(max_length=16, default="email")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The kind of error and the server's code only: a server's text can quote the address.
    last_error = models.CharField(max_length=120, blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # Which task run holds it while sending, and since when (the sweeper's clock).
    claim = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The token of a link in the mail, encrypted, so that a mail sent again carries the same
    # link (outbox.delivery_secret); erased once the delivery is finished. Null, not blank:
    # the key rotation reads only the rows that hold one.
    secret = EncryptedTextField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["message", "recipient", "channel"], name="delivery_once_per_recipient"
            )
        ]

    def __str__(self):
        return f"{self.message_id}:{self.recipient}:{self.status}"


class Broadcast(BaseModel):
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
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("author"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("approved by"),
    )
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
