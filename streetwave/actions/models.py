"""Actions (public street actions of one hub) and RSVPs (a supporter's pledge to attend).

An RSVP holds only: an optional pseudonym, an optional contact encrypted at rest, its keyed
blind index (for de-duplication), the language, the consent version, the status and the hash of
its manage token. Counters live on the action row and are changed with atomic increments inside
the RSVP transaction.
"""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from streetwave.campaigns.models import Campaign
from streetwave.core.crypto import EncryptedTextField
from streetwave.core.models import BaseModel
from streetwave.hubs.models import Hub
from streetwave.places.models import City

# Below this many, a public page says nothing about how many are going.
PUBLIC_COUNT_THRESHOLD = 10


def round_public_count(count: int) -> int | None:
    """The going count as the public may see it: nothing under the threshold, then rounded down
    so that one more RSVP does not reveal itself."""
    if count < PUBLIC_COUNT_THRESHOLD:
        return None
    step = 10 if count < 100 else 50 if count < 1000 else 100
    return count - count % step


class ActionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Action.Status.PUBLISHED)

    def public(self):
        """What anyone may see: published, and cancelled or completed ones that were public,
        outside campaigns still in draft."""
        return self.filter(
            status__in=[Action.Status.PUBLISHED, Action.Status.CANCELLED, Action.Status.COMPLETED]
        ).exclude(campaign__status=Campaign.Status.DRAFT)

    def with_place(self):
        return self.select_related("hub", "city", "city__country", "campaign")


class Action(BaseModel):
    class Kind(models.TextChoices):
        RALLY = "rally", _("rally")
        MARCH = "march", _("march")
        VIGIL = "vigil", _("vigil")
        GATHERING = "gathering", _("gathering")
        OTHER = "other", _("other")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")
        CANCELLED = "cancelled", _("cancelled")
        COMPLETED = "completed", _("completed")

    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="actions")
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.PROTECT, related_name="actions"
    )
    title = models.CharField(_("title"), max_length=160)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.RALLY)
    starts_at = models.DateTimeField(_("start"), db_index=True)
    ends_at = models.DateTimeField(_("end"))
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="actions")
    place = models.CharField(_("public place"), max_length=200, help_text=_("e.g. Place Schuman"))
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    # Kept back and revealed to confirmed RSVPs at a set time before the start.
    meeting_point = models.TextField(_("private meeting point"), blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    going_count = models.PositiveIntegerField(default=0)
    waitlisted_count = models.PositiveIntegerField(default=0)
    cancelled_count = models.PositiveIntegerField(default=0)

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        indexes = [models.Index(fields=["campaign", "status", "starts_at"], name="action_list_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="action_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(going_count__lte=models.F("capacity")),
                name="action_never_oversold",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.city.timezone)

    @property
    def local_start(self):
        return timezone.localtime(self.starts_at, self.zone)

    @property
    def local_end(self):
        return timezone.localtime(self.ends_at, self.zone)

    @property
    def is_open_for_rsvp(self) -> bool:
        return self.status == self.Status.PUBLISHED and timezone.now() < self.ends_at

    @property
    def is_full(self) -> bool:
        return self.capacity is not None and self.going_count >= self.capacity

    @property
    def public_going(self) -> int | None:
        return round_public_count(self.going_count)


class RSVP(BaseModel):
    class Status(models.TextChoices):
        GOING = "going", _("going")
        WAITLISTED = "waitlisted", _("waitlisted")
        CANCELLED = "cancelled", _("cancelled")
        ATTENDED = "attended", _("attended")

    LIVE = (Status.GOING, Status.WAITLISTED)

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="rsvps")
    pseudonym = models.CharField(_("name or pseudonym"), max_length=60, blank=True)
    contact = EncryptedTextField(_("email"), blank=True)
    contact_index = models.CharField(max_length=64, blank=True, editable=False)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    consent_version = models.CharField(max_length=16)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    manage_token_hash = models.CharField(max_length=64, unique=True, editable=False)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("RSVP")
        verbose_name_plural = _("RSVPs")
        indexes = [models.Index(fields=["action", "status", "created_at"], name="rsvp_queue_idx")]
        constraints = [
            # One live RSVP per contact per action; anonymous RSVPs (no contact) are not limited.
            models.UniqueConstraint(
                fields=["action", "contact_index"],
                condition=Q(status__in=["going", "waitlisted"]) & ~Q(contact_index=""),
                name="rsvp_one_live_per_contact",
            )
        ]

    def __str__(self):
        return self.pseudonym or str(_("anonymous"))

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE
