"""A campaign is one call to action. Its texts may be given per language; a reader gets their
language or the campaign's first one. Its RSVP counters are sharded so that thousands of RSVPs a
minute never queue on one row."""

import zoneinfo
from functools import cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from streetwave.core.models import BaseModel

COUNTER_SHARDS = 16


@cache
def time_zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(name: str) -> None:
    """A time zone is an IANA name this system knows (Asia/Tehran, Europe/Berlin, UTC)."""
    if name not in time_zone_names():
        raise ValidationError(
            _("“%(name)s” is not a known time zone, like Asia/Tehran."),
            code="unknown_time_zone",
            params={"name": name},
        )


def default_time_zone() -> str:
    return settings.TIME_ZONE


def default_rsvp_retention_days() -> int:
    return settings.RSVP_RETENTION_DAYS


def validate_rsvp_retention_days(days: int) -> None:
    """Within the bounds the operator set (RSVP_RETENTION_DAYS_MIN/MAX)."""
    MinValueValidator(settings.RSVP_RETENTION_DAYS_MIN)(days)
    MaxValueValidator(settings.RSVP_RETENTION_DAYS_MAX)(days)


class CampaignQuerySet(models.QuerySet):
    def live(self) -> "CampaignQuerySet":
        return self.filter(status=Campaign.Status.LIVE)

    def public(self) -> "CampaignQuerySet":
        return self.exclude(status=Campaign.Status.DRAFT)


class Campaign(BaseModel):
    class Status(models.TextChoices):
        # draft → live → ended → archived; "live" is shown as "Open".
        DRAFT = "draft", _("Draft")
        LIVE = "live", _("Open")
        ENDED = "ended", _("Ended")
        ARCHIVED = "archived", _("Archived")

    class HubPolicy(models.TextChoices):
        # Which hubs may answer the campaign's call.
        OPEN = "open", _("Any active hub may answer the call")
        APPROVAL = "approval", _("A coordinator accepts each hub's answer")

    class ApprovalPolicy(models.TextChoices):
        # Which hubs' actions wait for a coordinator before they become public.
        ALL = "all", _("Approval for all hubs")
        PROBATION = "probation", _("Approval for hubs on probation only")
        NONE = "none", _("No approval")

    slug = models.SlugField(_("short name"), max_length=80, unique=True)
    # {"en": {"title": "...", "statement": "...", "demands": ["...", ...]}, "fa": {...}}
    texts = models.JSONField(_("texts"), default=dict)
    # Language codes in order of preference; the first is the fallback for missing texts.
    languages = models.JSONField(_("languages"), default=list)
    starts_at = models.DateTimeField(_("window start"))
    ends_at = models.DateTimeField(_("window end"))
    # The time zone the window is given in (IANA name).
    zone = models.CharField(
        _("time zone"), max_length=64, default=default_time_zone, validators=[validate_time_zone]
    )
    goal = models.PositiveIntegerField(_("goal (number of actions)"), default=1000)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.DRAFT
    )
    approval_policy = models.CharField(
        _("approval of actions"),
        max_length=16,
        choices=ApprovalPolicy.choices,
        default=ApprovalPolicy.PROBATION,
    )
    # Host names that links in messages of the campaign may point to, besides the site's own
    # ("example.org" allows it and its subdomains).
    link_allowlist = models.JSONField(_("sites messages may link to"), default=list, blank=True)
    hub_policy = models.CharField(
        _("hubs answering the call"),
        max_length=16,
        choices=HubPolicy.choices,
        default=HubPolicy.OPEN,
    )
    # Personal fields of the campaign's RSVPs are erased this many days after their action ends.
    rsvp_retention_days = models.PositiveSmallIntegerField(
        _("days RSVPs' personal data are kept"),
        default=default_rsvp_retention_days,
        validators=[validate_rsvp_retention_days],
    )
    # Countries high-risk for this campaign besides the instance's own (Country.high_risk).
    high_risk_countries = models.ManyToManyField(
        "places.Country",
        blank=True,
        related_name="high_risk_in_campaigns",
        verbose_name=_("high-risk countries of this campaign"),
    )
    # When the statement or demands of the open campaign last changed (shown as "edited").
    texts_edited_at = models.DateTimeField(_("texts edited at"), null=True, blank=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="campaign_window_ends_after_start",
            )
        ]

    def __str__(self):
        return self.title

    def text(self, language: str | None = None) -> dict:
        language = language or translation.get_language()
        fallback = self.languages[0] if self.languages else settings.LANGUAGE_CODE
        chosen = self.texts.get(language) or self.texts.get(fallback) or {}
        return {
            "language": language if self.texts.get(language) else fallback,
            "title": chosen.get("title", self.slug),
            "statement": chosen.get("statement", ""),
            "demands": chosen.get("demands", []),
        }

    @property
    def title(self) -> str:
        return self.text()["title"]

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status == self.Status.LIVE and now < self.ends_at


class CampaignCounter(models.Model):
    """One of COUNTER_SHARDS rows per campaign; the campaign's totals are their sum."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="counters")
    shard = models.PositiveSmallIntegerField()
    going = models.IntegerField(default=0)
    waitlisted = models.IntegerField(default=0)
    cancelled = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "shard"], name="campaign_counter_shard")
        ]

    def __str__(self):
        return f"{self.campaign_id}#{self.shard}"

    @classmethod
    def bump(cls, campaign_id: int, *, shard_key: int, **deltas: int) -> None:
        """Add deltas (going=1, waitlisted=-1, ...) to one shard, atomically.

        The shard follows `shard_key` (the action's id), so every bump of one transaction lands
        on the same row: two transactions on different actions then never hold two shards in
        opposite orders, which deadlocked concurrent cancels that promote from a waitlist. RSVPs
        to one action already queue on the action's row, so they lose nothing by sharing a shard.
        """
        changes = {name: F(name) + delta for name, delta in deltas.items() if delta}
        if not changes:
            return
        shard = shard_key % COUNTER_SHARDS
        if not cls.objects.filter(campaign_id=campaign_id, shard=shard).update(**changes):
            cls.objects.get_or_create(campaign_id=campaign_id, shard=shard)
            cls.objects.filter(campaign_id=campaign_id, shard=shard).update(**changes)

    @classmethod
    def totals(cls, campaign_id: int) -> dict[str, int]:
        sums = cls.objects.filter(campaign_id=campaign_id).aggregate(
            going=Sum("going"), waitlisted=Sum("waitlisted"), cancelled=Sum("cancelled")
        )
        return {name: value or 0 for name, value in sums.items()}


class InsideCount(models.Model):
    """How many people inside a high-risk country said they joined the campaign's day in a
    city: one row per campaign and city, holding nothing but the two and the count. Nothing
    about a press is kept, not even when it happened (docs/privacy.md, "Count-only
    participation")."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="inside_counts")
    city = models.ForeignKey("places.City", on_delete=models.PROTECT, related_name="+")
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "city"], name="inside_count_per_city")
        ]

    def __str__(self):
        return f"{self.campaign_id}/{self.city_id}"

    @classmethod
    def add_one(cls, campaign_id: int, city_id: int) -> None:
        """One more in the city, as one UPDATE of its own row: presses in other cities, and the
        campaign's row, are never locked. The city's first press makes its row first."""
        if not cls.objects.filter(campaign_id=campaign_id, city_id=city_id).update(
            count=F("count") + 1
        ):
            cls.objects.get_or_create(campaign_id=campaign_id, city_id=city_id)
            cls.objects.filter(campaign_id=campaign_id, city_id=city_id).update(
                count=F("count") + 1
            )
