"""Actions (public street actions of one hub) and RSVPs (a supporter's pledge to attend), with
what organizers do around them: changes of time or place (held when late), relay messages to
supporters and attendee exports (both under a two-person rule).

An RSVP holds only: an optional pseudonym, an optional contact encrypted at rest, its keyed
blind index (for de-duplication), the language, the consent version, the status and the hash of
its manage token. Counters live on the action row and are changed with atomic increments inside
the RSVP transaction.
"""

import datetime as dt
import math
from collections.abc import Iterable
from functools import reduce
from operator import or_
from urllib.parse import quote
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from streetwave.approvals.models import Approval, HeldForApproval
from streetwave.campaigns.models import Campaign
from streetwave.campaigns.risk import high_risk_action_q
from streetwave.core.crypto import EncryptedTextField
from streetwave.core.i18n import join_words
from streetwave.core.models import BaseModel
from streetwave.hubs.models import Hub
from streetwave.places.models import City

# Below this many, a public page says nothing about how many are going.
PUBLIC_COUNT_THRESHOLD = 10
# A change of time or place this close to the start is held for a second organizer.
LATE_CHANGE_WINDOW = dt.timedelta(hours=48)
# A relay message to more recipients than this is held for a second organizer.
RELAY_APPROVAL_THRESHOLD = 50
# An approved export can be downloaded once, by its requester, for this long.
EXPORT_LINK_LIFETIME = dt.timedelta(minutes=15)
# Supporters are reminded the day before, and again this long before the start unless the
# organizers choose otherwise; a private meeting point is revealed as long before as they set.
DAY_BEFORE = dt.timedelta(hours=24)
DEFAULT_REMINDER_LEAD = dt.timedelta(hours=2)
LEAD_CHOICES = [
    (dt.timedelta(minutes=30), _("30 minutes before the start")),
    (dt.timedelta(hours=1), _("1 hour before the start")),
    (dt.timedelta(hours=2), _("2 hours before the start")),
    (dt.timedelta(hours=3), _("3 hours before the start")),
    (dt.timedelta(hours=6), _("6 hours before the start")),
    (dt.timedelta(hours=12), _("12 hours before the start")),
    (dt.timedelta(hours=24), _("24 hours before the start")),
]


def round_public_count(count: int) -> int | None:
    """The going count as the public may see it: nothing under the threshold, then rounded down
    so that one more RSVP does not reveal itself."""
    if count < PUBLIC_COUNT_THRESHOLD:
        return None
    step = 10 if count < 100 else 50 if count < 1000 else 100
    return count - count % step


def publication_delay() -> dt.timedelta:
    """How long after its verification an action filed after the fact becomes public."""
    delay: dt.timedelta = settings.HIGH_RISK_PUBLICATION_DELAY
    return delay


def published_inside_q(now: dt.datetime) -> Q:
    """Actions filed after the fact (inside a high-risk country) that the public may see at
    `now`: over, reported on, and first verified at least HIGH_RISK_PUBLICATION_DELAY before
    `now`. The report-backs sit above actions, so they are reached through the reverse relation
    by name, in a subquery (a corrected report keeps its first verification's time)."""
    delay = publication_delay()
    verified_in_time = Action.objects.filter(
        after_the_fact=True,
        report_backs__approval=Approval.APPROVED,
        report_backs__approved_at__lte=now - delay,
    )
    return Q(
        after_the_fact=True,
        status__in=Action.REPORTED_STATUSES,
        ends_at__lte=now,
        pk__in=verified_in_time.values("pk"),
    )


def next_inside_publication(actions: "ActionQuerySet", now: dt.datetime) -> dt.datetime | None:
    """When the next of `actions` filed after the fact, verified but not public yet at `now`,
    becomes public (published_inside_q): its first verification plus the delay, or the end of
    its day when that comes later. None when none waits."""
    delay = publication_delay()
    waiting = (
        actions.filter(after_the_fact=True, status__in=Action.REPORTED_STATUSES)
        .exclude(published_inside_q(now))
        .annotate(
            verified=models.Min(
                "report_backs__approved_at", filter=Q(report_backs__approval=Approval.APPROVED)
            )
        )
        .filter(verified__isnull=False)
        .values_list("verified", "ends_at")
    )
    return min((max(verified + delay, ends_at) for verified, ends_at in waiting), default=None)


class ActionQuerySet(models.QuerySet):
    def with_risk(self) -> "ActionQuerySet":
        """Each action says in the same query whether it is high-risk (campaigns.risk), so that
        `is_high_risk` costs the RSVP path no query of its own."""
        return self.annotate(
            in_high_risk_country=models.ExpressionWrapper(
                high_risk_action_q(), output_field=models.BooleanField()
            )
        )

    def published(self) -> "ActionQuerySet":
        return self.filter(status=Action.Status.PUBLISHED)

    def taking_rsvps(self) -> "ActionQuerySet":
        """Actions that take an RSVP now: `is_open_for_rsvp` and not `is_high_risk`, in the
        database (published, not filed after the fact, not over, of a live campaign or none, of
        a hub not suspended, in no high-risk country). Each of them is `public`. The clock is the
        database's, so that the queryset holds no time and can be built once."""
        return (
            self.with_risk()
            .filter(
                status=Action.Status.PUBLISHED,
                after_the_fact=False,
                ends_at__gt=Now(),
                in_high_risk_country=False,
            )
            .filter(Q(campaign__isnull=True) | Q(campaign__status=Campaign.Status.LIVE))
            .exclude(hub__status=Hub.Status.SUSPENDED)
        )

    def pending_approval(self) -> "ActionQuerySet":
        return self.filter(status=Action.Status.PENDING)

    def completed(self) -> "ActionQuerySet":
        """Actions that took place: a second person verified a report-back saying so (the
        report-back's verification sets the status). An action that was public and ended, with
        no verified report-back, is not known to have taken place."""
        return self.filter(status=Action.Status.COMPLETED)

    # The phases of Action.phase_at, in the database, so that a list filtered by phase pages
    # and counts as any other.
    def upcoming(self, now: dt.datetime) -> "ActionQuerySet":
        return self.in_phases([Action.Phase.UPCOMING], now)

    def happening(self, now: dt.datetime) -> "ActionQuerySet":
        return self.in_phases([Action.Phase.NOW], now)

    def ended(self, now: dt.datetime) -> "ActionQuerySet":
        return self.in_phases([Action.Phase.ENDED], now)

    def in_phases(self, phases: Iterable[str], now: dt.datetime) -> "ActionQuerySet":
        """Actions in any of `phases` (Action.Phase values) at `now`: the same bounds as
        Action.phase_at (an action is happening from its start, ended from its end)."""
        conditions: dict[str, Q] = {
            Action.Phase.UPCOMING: Q(starts_at__gt=now),
            Action.Phase.NOW: Q(starts_at__lte=now, ends_at__gt=now),
            Action.Phase.ENDED: Q(ends_at__lte=now),
        }
        wanted = [conditions[phase] for phase in set(phases)]
        return self.filter(reduce(or_, wanted)) if wanted else self.none()

    def submitted(self) -> "ActionQuerySet":
        """Everything past the draft: what a campaign's coordinators count."""
        return self.exclude(status=Action.Status.DRAFT)

    def totals_per_hub(self):
        """One row per hub: its number of actions and the sums of their counters."""
        return (
            self.values("hub__public_id", "hub__name")
            .annotate(
                actions=models.Count("id"),
                going=models.Sum("going_count"),
                waitlisted=models.Sum("waitlisted_count"),
                cancelled=models.Sum("cancelled_count"),
            )
            .order_by("-going", "hub__name")
        )

    def with_hub_track_record(self) -> "ActionQuerySet":
        """Annotate `hub_has_taken_place`: whether the hub is past its probation."""
        taken_place = Action.objects.completed().filter(hub=models.OuterRef("hub"))
        return self.annotate(hub_has_taken_place=models.Exists(taken_place))

    def public(self, now: dt.datetime | None = None) -> "ActionQuerySet":
        """What anyone may see: published, and cancelled or completed ones that were public,
        outside campaigns still in draft and hubs suspended by moderation (a taken-down action
        is `removed`, public nowhere but its own page). In a high-risk country
        (campaigns.risk), only what was filed after the fact, once its delay has passed
        (`published_inside_q`): nothing announced there is shown, nor anything not yet verified."""
        return (
            self.filter(status__in=Action.PUBLIC_STATUSES)
            .filter(
                (~high_risk_action_q() & Q(after_the_fact=False))
                | published_inside_q(now or timezone.now())
            )
            .exclude(campaign__status=Campaign.Status.DRAFT)
            .exclude(hub__status=Hub.Status.SUSPENDED)
        )

    def removed(self) -> "ActionQuerySet":
        """Taken down by moderation: only their own page says so, and nothing else of them."""
        return self.filter(status=Action.Status.REMOVED)

    def with_place(self) -> "ActionQuerySet":
        return self.select_related("hub", "city", "city__country", "campaign")


class Action(HeldForApproval, BaseModel):
    class Kind(models.TextChoices):
        RALLY = "rally", _("Rally")
        MARCH = "march", _("March")
        VIGIL = "vigil", _("Vigil")
        GATHERING = "gathering", _("Gathering")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        # Submitted for publication, waiting for a coordinator of the campaign; not public.
        PENDING = "pending", _("Awaiting approval")
        PUBLISHED = "published", _("Published")
        CANCELLED = "cancelled", _("Cancelled")
        # Verified by a second person's report-back as having taken place, or as not.
        COMPLETED = "completed", _("Completed")
        NOT_HELD = "not_held", _("Did not take place")
        # Taken down by the campaign's coordinators (moderation): public nowhere but its own
        # page, which says so.
        REMOVED = "removed", _("Removed")

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
    reveal_lead = models.DurationField(
        _("reveal the meeting point"), choices=LEAD_CHOICES, default=DEFAULT_REMINDER_LEAD
    )
    reminder_lead = models.DurationField(
        _("second reminder"), choices=LEAD_CHOICES, default=DEFAULT_REMINDER_LEAD
    )
    # When the next scheduled message to its supporters (a reminder, the reveal) is due; unset
    # when none is left. Beat looks only at actions whose time has come.
    next_message_at = models.DateTimeField(null=True, blank=True, db_index=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    going_count = models.PositiveIntegerField(default=0)
    waitlisted_count = models.PositiveIntegerField(default=0)
    cancelled_count = models.PositiveIntegerField(default=0)
    # Publication waits for a coordinator (the one two-person rule) only while the action is
    # pending: a draft nobody submitted, or an action published without approval, needed no
    # second person (`approved`, nobody in `approved_by`); a draft sent back was `withdrawn`.
    approval = models.CharField(
        _("approval"), max_length=9, choices=Approval.choices, default=Approval.APPROVED
    )
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    # When the public time or place last changed after publication. Set, the public page looks
    # up the changes to show them; unset (the usual case), it costs no query.
    changed_at = models.DateTimeField(_("time or place changed"), null=True, blank=True)
    # Filed after it happened, by a hub inside a high-risk country (reportbacks.services.
    # afterwards): its time is the whole day (start and end are midnights in the city's zone)
    # and its place the city's centre, so pages show the day and the city only.
    after_the_fact = models.BooleanField(_("reported after the fact"), default=False)

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
            models.CheckConstraint(
                condition=Q(status="pending", approval="held")
                | (~Q(status="pending") & ~Q(approval="held")),
                name="action_held_while_pending",
            ),
        ]

    # What was public once: announced, called off, or over and reported back.
    PUBLIC_STATUSES = (Status.PUBLISHED, Status.CANCELLED, Status.COMPLETED, Status.NOT_HELD)
    # Where a verified report-back leaves an action.
    REPORTED_STATUSES = (Status.COMPLETED, Status.NOT_HELD)

    class Phase(models.TextChoices):
        """Where an action stands in time, whatever its status: every public surface says it."""

        UPCOMING = "upcoming", _("upcoming")
        NOW = "now", _("happening now")
        ENDED = "ended", _("ended")

    def __str__(self):
        return self.title

    def phase_at(self, now: dt.datetime) -> "Action.Phase":
        return phase_between(self.starts_at, self.ends_at, now)

    @property
    def phase(self) -> "Action.Phase":
        return self.phase_at(timezone.now())

    @property
    def geo_uri(self) -> str:
        """A geo: URI (RFC 5870) that a phone hands to its own map app, coordinates to 4 decimals
        (~11 m) as on the map; the `q=lat,lon(label)` query names the place in the apps that read
        it (Android's) and is ignored by the others. The label is in the active language."""
        point = f"{self.latitude:.4f},{self.longitude:.4f}"
        label = quote(join_words([self.place, self.city.display_name()]), safe="")
        return f"geo:{point}?q={point}({label})"

    @property
    def zone(self) -> ZoneInfo:
        return self.city.zone

    @property
    def local_start(self):
        return timezone.localtime(self.starts_at, self.zone)

    @property
    def local_end(self):
        return timezone.localtime(self.ends_at, self.zone)

    @property
    def is_open_for_rsvp(self) -> bool:
        """Published, not over, not filed after the fact, and (inside a campaign) the campaign
        still open: once a campaign ends, none of its actions takes an RSVP. The pages and the
        API load the campaign's status with the action."""
        if self.after_the_fact or self.status != self.Status.PUBLISHED:
            return False
        if timezone.now() >= self.ends_at:
            return False
        campaign = self.campaign
        return campaign is None or campaign.status == Campaign.Status.LIVE

    @property
    def public_is_full(self) -> bool:
        """Full, as the public may see it: never for a capacity under the threshold, which would
        tell exactly how many are going where the public count says nothing."""
        return (
            self.capacity is not None
            and self.capacity >= PUBLIC_COUNT_THRESHOLD
            and self.going_count >= self.capacity
        )

    @property
    def public_going(self) -> int | None:
        return round_public_count(self.going_count)

    @property
    def is_public(self) -> bool:
        return self.status in self.PUBLIC_STATUSES

    def is_high_risk(self) -> bool:
        """Reported after the fact, or in a country high-risk for its campaign
        (campaigns.risk): no RSVP, no contact, no face uncovered. One query unless filed after
        the fact or fetched `with_risk()`."""
        if self.after_the_fact:
            return True
        known: bool | None = getattr(self, "in_high_risk_country", None)
        if known is not None:
            return known
        return Action.objects.filter(high_risk_action_q(), pk=self.pk).exists()

    def is_late(self, now: dt.datetime | None = None) -> bool:
        """Inside LATE_CHANGE_WINDOW of the start: moving people now needs two organizers."""
        return (now or timezone.now()) >= self.starts_at - LATE_CHANGE_WINDOW

    @property
    def reveal_at(self) -> dt.datetime:
        """When the private meeting point is revealed to the people going (reveal_lead before
        the start): mailed to them, and shown on their RSVP page from then on."""
        return self.starts_at - self.reveal_lead

    @property
    def local_reveal_at(self):
        return timezone.localtime(self.reveal_at, self.zone)

    def is_meeting_point_revealed(self, now: dt.datetime | None = None) -> bool:
        return bool(self.meeting_point) and (now or timezone.now()) >= self.reveal_at


def phase_between(starts_at: dt.datetime, ends_at: dt.datetime, now: dt.datetime) -> Action.Phase:
    """The phase at `now` of an action from `starts_at` to `ends_at`: the one rule, shared by
    Action.phase_at and the plain rows that the map and the wave are built from."""
    if now < starts_at:
        return Action.Phase.UPCOMING
    return Action.Phase.NOW if now < ends_at else Action.Phase.ENDED


def hub_is_on_probation(hub: Hub) -> bool:
    """A hub is on probation until a second person verified that one of its actions took
    place (a report-back)."""
    return not Action.objects.filter(hub=hub).completed().exists()


class RSVP(BaseModel):
    class Status(models.TextChoices):
        # One person's status, told apart from the counts of "Going" and "Waitlisted" people.
        GOING = "going", pgettext_lazy("RSVP status", "Going")
        WAITLISTED = "waitlisted", pgettext_lazy("RSVP status", "Waitlisted")
        CANCELLED = "cancelled", pgettext_lazy("RSVP status", "Cancelled")
        ATTENDED = "attended", pgettext_lazy("RSVP status", "Attended")

    LIVE = (Status.GOING, Status.WAITLISTED)

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="rsvps")
    pseudonym = models.CharField(_("name or pseudonym"), max_length=60, blank=True)
    contact = EncryptedTextField(_("email"), blank=True)
    contact_index = models.CharField(max_length=64, blank=True, editable=False)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    consent_version = models.CharField(max_length=16)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    manage_token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # Asked at RSVP time: may the campaign's coordinators write to this address about the
    # campaign? Withdrawn by one click in any such mail.
    campaign_news = models.BooleanField(_("news from the campaign"), default=False)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("RSVP")
        verbose_name_plural = _("RSVPs")
        indexes = [
            models.Index(fields=["action", "status", "created_at"], name="rsvp_queue_idx"),
            # An address may hold several RSVPs to one action (see services.rsvps.create_rsvp);
            # its RSVPs are found by this index to unsubscribe, export or erase them.
            models.Index(
                fields=["action", "contact_index"],
                condition=~Q(contact_index=""),
                name="rsvp_contact_idx",
            ),
        ]

    def __str__(self):
        return self.pseudonym or str(_("anonymous"))

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE

    def visible_meeting_point(self, now: dt.datetime | None = None) -> str:
        """The private meeting point as this supporter may see it: only when going, and only from
        the reveal time on. Waitlisted and cancelled RSVPs never see it, nor anyone once the action
        was taken down by moderation (the place may be a trap)."""
        if self.status != self.Status.GOING or not self.action.is_meeting_point_revealed(now):
            return ""
        if self.action.status == Action.Status.REMOVED:
            return ""
        return self.action.meeting_point


class ActionChangeQuerySet(models.QuerySet):
    def public(self) -> "ActionChangeQuerySet":
        """The changes the public page shows: those of the public time or place. A change of the
        private meeting point alone is nobody's business but the people going."""
        return self.filter(
            ~Q(old_starts_at=models.F("new_starts_at"))
            | ~Q(old_ends_at=models.F("new_ends_at"))
            | ~Q(old_place=models.F("new_place"))
            | ~Q(old_latitude=models.F("new_latitude"))
            | ~Q(old_longitude=models.F("new_longitude"))
        )


class ActionChange(HeldForApproval, BaseModel):
    """A change of a published action's public time or place, or of its private meeting point,
    with before and after.

    A late change is held here until a second person approves it (another organizer of the hub
    or, when it has none, a coordinator of the action's campaign): of the time or place within
    LATE_CHANGE_WINDOW of the start, of the meeting point within that window or after its
    reveal. An earlier change of the time or place is recorded already approved, by nobody (an
    earlier change of the meeting point alone applies at once, unrecorded: nobody has been told
    it yet). Approved changes of the time or place are shown on the public page, so a "the
    meeting point moved" message can be checked against the page; the meeting point is kept as
    on the action (only the hub's organizers and, from the reveal, the people going see it).
    """

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="changes")
    old_starts_at = models.DateTimeField(_("start before"))
    old_ends_at = models.DateTimeField(_("end before"))
    old_place = models.CharField(_("public place before"), max_length=200)
    old_latitude = models.FloatField(_("latitude before"))
    old_longitude = models.FloatField(_("longitude before"))
    new_starts_at = models.DateTimeField(_("start after"))
    new_ends_at = models.DateTimeField(_("end after"))
    new_place = models.CharField(_("public place after"), max_length=200)
    new_latitude = models.FloatField(_("latitude after"))
    new_longitude = models.FloatField(_("longitude after"))
    # Equal before and after when the change leaves the meeting point alone.
    old_meeting_point = models.TextField(_("private meeting point before"), blank=True)
    new_meeting_point = models.TextField(_("private meeting point after"), blank=True)

    objects = ActionChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("change of time, place or meeting point")
        verbose_name_plural = _("changes of time, place or meeting point")
        constraints = [
            # A second late change waits until the first is confirmed or withdrawn, so an
            # organizer always confirms exactly the change they were shown.
            models.UniqueConstraint(
                fields=["action"], condition=Q(approval="held"), name="action_one_pending_change"
            )
        ]

    def __str__(self):
        return f"{self.action_id}:{self.approval}"

    @property
    def moves_time(self) -> bool:
        return (self.old_starts_at, self.old_ends_at) != (self.new_starts_at, self.new_ends_at)

    @property
    def moves_place(self) -> bool:
        return (self.old_place, self.old_latitude, self.old_longitude) != (
            self.new_place,
            self.new_latitude,
            self.new_longitude,
        )

    @property
    def moves_meeting_point(self) -> bool:
        return self.old_meeting_point != self.new_meeting_point

    def _local(self, value):
        return timezone.localtime(value, self.action.zone)

    @property
    def old_local_start(self):
        return self._local(self.old_starts_at)

    @property
    def old_local_end(self):
        return self._local(self.old_ends_at)

    @property
    def new_local_start(self):
        return self._local(self.new_starts_at)

    @property
    def new_local_end(self):
        return self._local(self.new_ends_at)

    @property
    def local_approved_at(self):
        return self._local(self.approved_at) if self.approved_at else None


class RelayMessage(HeldForApproval, BaseModel):
    """A message from a hub's organizers to the supporters of one action, relayed by email so
    that organizers never learn an address. Replies are not forwarded. Written by
    `requested_by`; sent once approved (at once when no second person is needed)."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="relay_messages")
    body = models.TextField(_("message"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    recipient_count = models.PositiveIntegerField(_("recipients"), default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("relay message")
        verbose_name_plural = _("relay messages")

    def __str__(self):
        return f"{self.action_id}:{self.approval}"


class EmergencyNotice(BaseModel):
    """An urgent notice from an organizer of the action's hub ("the police closed the square:
    gather at X"), mailed to everyone going and shown on the action's public page until the
    action ends, so that a forged "the meeting point moved" can be checked against the page."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="emergency_notices")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("author"),
    )
    body = models.TextField(_("notice"))
    recipient_count = models.PositiveIntegerField(_("recipients"), default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("emergency notice")
        verbose_name_plural = _("emergency notices")

    def __str__(self):
        return f"{self.action_id}:{self.created_at}"

    @property
    def local_created_at(self) -> dt.datetime:
        """When the notice was sent, in the action's time zone."""
        return timezone.localtime(self.created_at, self.action.zone)


class AttendeeExport(HeldForApproval, BaseModel):
    """A request to download an action's attendee list (pseudonyms and statuses only).

    A second person approves it; then only the requester may download it, once, within
    EXPORT_LINK_LIFETIME of the approval. The file itself is never stored.
    """

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="exports")
    used_at = models.DateTimeField(_("downloaded"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("attendee export")
        verbose_name_plural = _("attendee exports")
        constraints = [
            models.CheckConstraint(
                condition=Q(used_at__isnull=True) | Q(approved_at__isnull=False),
                name="export_used_only_after_approval",
            )
        ]

    def __str__(self):
        return f"{self.action_id}:{self.public_id}"

    @property
    def expires_at(self) -> dt.datetime | None:
        return self.approved_at + EXPORT_LINK_LIFETIME if self.approved_at else None

    def is_downloadable(self, now: dt.datetime | None = None) -> bool:
        return self.minutes_left(now) > 0

    def minutes_left(self, now: dt.datetime | None = None) -> int:
        """Whole minutes, rounded up, that the download still works; 0 once it does not."""
        if self.used_at is not None or self.approved_at is None:
            return 0
        left = self.approved_at + EXPORT_LINK_LIFETIME - (now or timezone.now())
        return max(0, math.ceil(left.total_seconds() / 60))
