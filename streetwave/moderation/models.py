"""Moderation: what visitors report about actions, what hub leads flag about other hubs, and
what a campaign's coordinators take down (an action, or a whole hub by suspending it).

A takedown that would tell more than MODERATION_APPROVAL_THRESHOLD people waits for a second
coordinator, through the one two-person rule (docs/decisions/0003-one-two-person-rule.md).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from streetwave.actions.models import Action
from streetwave.approvals.models import HeldForApproval
from streetwave.core.crypto import EncryptedTextField
from streetwave.core.models import BaseModel
from streetwave.hubs.models import Hub

# A takedown that would tell more people than this (RSVPs with an address, going or on the
# waitlist) waits for a second coordinator, like a relay message or a broadcast.
MODERATION_APPROVAL_THRESHOLD = 50


class Report(BaseModel):
    """A visitor's report about a public action. Nobody's account: the only personal field is
    the contact, kept (encrypted) only when the reporter asked to be contacted."""

    class Kind(models.TextChoices):
        FAKE = "fake", _("Fake or misleading")
        WRONG_DETAILS = "wrong_details", _("Wrong place or time")
        ENDANGERS = "endangers", _("Endangers people")
        PERSONAL_DATA = "personal_data", _("Personal data exposed")
        OTHER = "other", _("Other")

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField(_("what is wrong"), max_length=16, choices=Kind.choices)
    text = models.TextField(_("what you noticed"), max_length=2000)
    # Kept only with wants_contact (report_action refuses it otherwise; an encrypted column
    # cannot carry a check constraint).
    contact = EncryptedTextField(_("how to reach you"), blank=True)
    wants_contact = models.BooleanField(_("I want to be contacted"), default=False)
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        indexes = [models.Index(fields=["action", "handled_at"], name="report_open_idx")]

    def __str__(self) -> str:
        return f"report:{self.public_id}"

    @property
    def is_open(self) -> bool:
        return self.handled_at is None


class HubFlag(BaseModel):
    """A hub lead telling the coordinators that another hub looks fake: vouching's counterpart.
    Shown in the moderation queue of every campaign the flagged hub answered."""

    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="flags")
    by_hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="flags_given")
    flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(_("why this hub looks suspicious"), max_length=2000)
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("hub flag")
        verbose_name_plural = _("hub flags")
        constraints = [
            models.UniqueConstraint(
                fields=["hub", "by_hub"],
                condition=Q(handled_at__isnull=True),
                name="hub_flag_one_open_per_hub",
            ),
            models.CheckConstraint(condition=~Q(hub=models.F("by_hub")), name="hub_flag_other_hub"),
        ]

    def __str__(self) -> str:
        return f"{self.by_hub_id}-!->{self.hub_id}"


class Takedown(HeldForApproval, BaseModel):
    """A coordinator's decision to take an action down, or to suspend a hub (which takes its
    public actions down). Created approved and applied at once when it tells few people; held
    for a second coordinator otherwise, and applied when approved."""

    class Reason(models.TextChoices):
        # Each label ends up in a mail to the people who were going: whole, plain sentences.
        FAKE = "fake", _("It appears to be fake or misleading.")
        UNSAFE = "unsafe", _("It would put the people taking part in danger.")
        WRONG_DETAILS = "wrong_details", _("Its time or place is wrong.")
        OFF_CALL = "off_call", _("It does not answer the campaign's call.")
        OTHER = "other", _("The campaign's coordinators decided to remove it.")

    action = models.ForeignKey(
        Action, null=True, blank=True, on_delete=models.CASCADE, related_name="takedowns"
    )
    hub = models.ForeignKey(
        Hub, null=True, blank=True, on_delete=models.CASCADE, related_name="suspensions"
    )
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    # The coordinator's own words for the other coordinators; never mailed, never in the log.
    note = models.TextField(_("note for the other coordinators"), blank=True, max_length=2000)
    # How many people it would tell when it was asked for: what decided whether it was held.
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("takedown")
        verbose_name_plural = _("takedowns")
        constraints = [
            models.CheckConstraint(
                condition=Q(action__isnull=False, hub__isnull=True)
                | Q(action__isnull=True, hub__isnull=False),
                name="takedown_action_or_hub",
            ),
            # One held takedown per action and per hub: a second one would be asked twice.
            models.UniqueConstraint(
                fields=["action"], condition=Q(approval="held"), name="takedown_one_held_action"
            ),
            models.UniqueConstraint(
                fields=["hub"], condition=Q(approval="held"), name="takedown_one_held_hub"
            ),
        ]

    def __str__(self) -> str:
        return f"takedown:{self.public_id}"

    @property
    def subject(self) -> Action | Hub:
        """What is taken down: the action, or the hub."""
        subject = self.action if self.action_id is not None else self.hub
        assert subject is not None
        return subject
