"""The outbox: every message to anyone goes through it.

A `Message` is one thing said to many people (a reminder of one action, a coordinator's call);
a `Delivery` is that message on its way to one recipient over one channel. Writers create both
inside their own transaction; workers send deliveries after commit and record each outcome, so
a crash loses nothing and a delivery already sent is never sent again.

A delivery names its recipient as "<type>:<id>" ("rsvp:12", "user:7"): the address stays on the
recipient's own row (encrypted for supporters) and is erased with it, never copied here. The
outbox sits below the domains: it imports none of them, and they reach it by label and by these
recipient names.

The tables keep the names they had when these models lived in the broadcasts app.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from streetwave.core.crypto import EncryptedTextField
from streetwave.core.models import BaseModel


class Message(models.Model):
    # What renders it (see services.renderer), e.g. "action.reminder".
    kind = models.CharField(max_length=32)
    # Makes queueing idempotent: a second message with the same key is never created.
    key = models.CharField(max_length=120, unique=True)
    # Ids of the rows the renderer needs, never personal data.
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "broadcasts_message"

    def __str__(self) -> str:
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
    # link (services.delivery_secret); erased once the delivery is finished. Null, not blank:
    # the key rotation reads only the rows that hold one.
    secret = EncryptedTextField(null=True, blank=True, editable=False)

    class Meta:
        db_table = "broadcasts_delivery"
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["message", "recipient", "channel"], name="delivery_once_per_recipient"
            )
        ]

    def __str__(self) -> str:
        return f"{self.message_id}:{self.recipient}:{self.status}"
