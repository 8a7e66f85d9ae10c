"""The state of anything that waits for a second person: held, then approved or withdrawn."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Approval(models.TextChoices):
    HELD = "held", _("Waiting for a second person")
    # Approved by `approved_by`; with nobody there, it never needed a second person.
    APPROVED = "approved", _("Approved")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Every column of the state, for a save that writes the state with what changed beside it.
APPROVAL_FIELDS = (
    "approval",
    "requested_by",
    "approved_by",
    "approved_at",
    "withdrawn_by",
    "withdrawn_at",
)


class HeldForApproval(models.Model):
    """Who asked, who approved and when, or who withdrew it. Only `decide_held` moves a row out
    of `held`; a row that needs no second person is created `approved` with nobody in
    `approved_by`."""

    approval = models.CharField(
        _("approval"), max_length=9, choices=Approval.choices, default=Approval.HELD
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("requested by"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_held(self) -> bool:
        return self.approval == Approval.HELD

    @property
    def is_approved(self) -> bool:
        return self.approval == Approval.APPROVED
