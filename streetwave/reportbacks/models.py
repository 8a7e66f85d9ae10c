"""Report-backs: what a hub reports after its action (took place or not, turnout, a short
story), verified by a second person through the one two-person rule
(docs/decisions/0003-one-two-person-rule.md) before anyone but the hub's organizers sees it.

A report-back holds no personal data: only who filed it (`requested_by`) and who verified or
withdrew it, as account ids. A verified report-back is corrected by filing a new one for the
same action, held like the first; once verified it replaces the old one, which is then
`superseded_at` that moment. One verified report-back per action is current (a partial unique
constraint), and it is the one every public surface shows.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from streetwave.actions.models import Action
from streetwave.approvals.models import Approval, HeldForApproval
from streetwave.core.models import BaseModel


class ReportBackQuerySet(models.QuerySet):
    def verified(self) -> "ReportBackQuerySet":
        """The current verified report-backs: one per action at most, what the public sees."""
        return self.filter(approval=Approval.APPROVED, superseded_at__isnull=True)

    def held(self) -> "ReportBackQuerySet":
        return self.filter(approval=Approval.HELD)


class ReportBack(HeldForApproval, BaseModel):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="report_backs")
    took_place = models.BooleanField(_("the action took place"), default=True)
    reason = models.TextField(_("why it did not take place"), blank=True, max_length=2000)
    turnout = models.PositiveIntegerField(_("turnout"), null=True, blank=True)
    turnout_is_estimate = models.BooleanField(_("the turnout is an estimate"), default=False)
    story = models.TextField(_("story"), blank=True, max_length=5000, help_text=_("Markdown."))
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    # A correction names the verified report-back it corrects; verifying it supersedes that one.
    corrects = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="corrections",
        verbose_name=_("corrects"),
    )
    superseded_at = models.DateTimeField(_("superseded"), null=True, blank=True)
    # "I was there": supporters say so from their manage link, once per RSVP; a count only.
    attended_count = models.PositiveIntegerField(default=0)

    objects = ReportBackQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("report-back")
        verbose_name_plural = _("report-backs")
        constraints = [
            models.UniqueConstraint(
                fields=["action"],
                condition=Q(approval="approved", superseded_at__isnull=True),
                name="reportback_one_current_per_action",
            ),
            # One waits for a second person at a time: a second filing would race the first.
            models.UniqueConstraint(
                fields=["action"],
                condition=Q(approval="held"),
                name="reportback_one_held_per_action",
            ),
            models.CheckConstraint(
                condition=Q(took_place=True) | Q(turnout__isnull=True),
                name="reportback_no_turnout_when_not_held",
            ),
            models.CheckConstraint(
                condition=Q(superseded_at__isnull=True) | Q(approval="approved"),
                name="reportback_only_verified_is_superseded",
            ),
        ]
        indexes = [
            models.Index(
                fields=["approval", "superseded_at", "-approved_at"], name="reportback_wall_idx"
            )
        ]

    def __str__(self) -> str:
        return f"report-back:{self.public_id}"

    @property
    def is_current(self) -> bool:
        return self.approval == Approval.APPROVED and self.superseded_at is None


def photo_file_name(photo: "Photo", _uploaded_name: str) -> str:
    """Random names only: the report-back's and the photo's public ids, never the upload's name."""
    return f"photos/{photo.report_back.public_id}/{photo.public_id}.jpg"


def photo_small_file_name(photo: "Photo", _uploaded_name: str) -> str:
    return f"photos/{photo.report_back.public_id}/{photo.public_id}-small.jpg"


class PhotoQuerySet(models.QuerySet):
    def shown(self) -> "PhotoQuerySet":
        """What the public sees of a report-back's photos: processed and not taken down."""
        return self.filter(state=Photo.State.READY, taken_down_at__isnull=True)


class Photo(BaseModel):
    """A report-back's photo: only the processed copy (core.images) is ever stored. The
    upload waits in a private temporary file until a task processes it (docs/decisions/0007)."""

    class State(models.TextChoices):
        PROCESSING = "processing", _("processing")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")

    report_back = models.ForeignKey(ReportBack, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("file"), upload_to=photo_file_name, blank=True, max_length=200)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    # The same photo, longest side core.images.SMALL_SIDE at most, for lists (the wall); the
    # report page links the full one.
    small_file = models.FileField(
        _("small copy"), upload_to=photo_small_file_name, blank=True, max_length=200
    )
    small_width = models.PositiveIntegerField(null=True, blank=True)
    small_height = models.PositiveIntegerField(null=True, blank=True)
    alt_text = models.CharField(_("description for people who cannot see it"), max_length=300)
    state = models.CharField(max_length=12, choices=State.choices, default=State.PROCESSING)
    # The name of the refusal (a core.images.PhotoRefused subclass), shown translated.
    failure = models.CharField(max_length=40, blank=True)
    # [{"x", "y", "w", "h" (fractions of the photo), "source": "detected" | "marked" | "phone"}]
    masked_regions = models.JSONField(default=list, blank=True)
    # What the processing needs besides the bytes, emptied once it ran: the name and type the
    # browser gave (checked against the content), and the regions the organizer marked to cover
    # or as consenting faces ({"marked": [...], "consenting": [...]}).
    upload_name = models.CharField(max_length=200, blank=True)
    upload_type = models.CharField(max_length=100, blank=True)
    asked_regions = models.JSONField(default=dict, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    taken_down_at = models.DateTimeField(null=True, blank=True)
    taken_down_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = PhotoQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="ready") | ~Q(file=""), name="photo_ready_has_file"
            ),
            models.CheckConstraint(
                condition=~Q(state="ready") | ~Q(small_file=""), name="photo_ready_has_small_file"
            ),
        ]

    def __str__(self) -> str:
        return f"photo:{self.public_id}"
