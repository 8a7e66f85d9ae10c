"""Hubs: local groups, one city each. A hub's sponsor is the hub that vouched for it, so hubs
form a tree; `path` (the public ids from the root down) makes depth and descendants one query.

A hub starts as a proposal (`HubApplication` holds what the applicant gave), becomes active when
two organizers of two different active hubs vouch for it (`Vouch`) or a coordinator approves it,
and grows its team by `Invitation`. A coordinator may also found a hub at the root of a tree.
A hub takes part in a campaign once it answers the campaign's call (`Participation`); a campaign
gains its coordinators by `Invitation` too.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import BooleanField, ExpressionWrapper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from streetwave.campaigns.risk import high_risk_hub_q, is_high_risk_city
from streetwave.core.crypto import EncryptedTextField
from streetwave.core.models import BaseModel
from streetwave.places.models import City

# The deepest level `path` can hold: a hub at depth d has a path of 17 * d + 16 characters.
MAX_DEPTH = 15
# A verification link must be used soon: an unverified proposal is deleted when it expires.
VERIFICATION_VALID_FOR = dt.timedelta(hours=48)
INVITATION_VALID_FOR = dt.timedelta(days=7)


class HubQuerySet(models.QuerySet):
    def active(self) -> "HubQuerySet":
        return self.filter(status=Hub.Status.ACTIVE)

    def public(self) -> "HubQuerySet":
        """The hubs anyone may see: active, and outside the high-risk countries (their hubs are
        hidden from every public list and page, docs/privacy.md, "High-risk countries"), each
        knowing whether its sponsor is in one (`public_sponsor`)."""
        return (
            self.active()
            .exclude(high_risk_hub_q())
            .annotate(
                sponsor_high_risk=ExpressionWrapper(
                    high_risk_hub_q("sponsor__"), output_field=BooleanField()
                )
            )
        )

    def descendants_of(self, hub: "Hub") -> "HubQuerySet":
        return self.filter(path__startswith=hub.path + "/")

    def awaiting_vouches(self) -> "HubQuerySet":
        """Proposals whose applicant confirmed the address: only these may be vouched for."""
        return self.filter(status=Hub.Status.PROPOSED, application__verified_at__isnull=False)

    def open_to_vouchers(self) -> "HubQuerySet":
        """The proposals any organizer who may vouch sees. One in a high-risk country is seen,
        with its applicant's words, by the coordinators alone, who approve it: not by every
        organizer of every hub (docs/privacy.md, "High-risk countries")."""
        return self.awaiting_vouches().exclude(high_risk_hub_q())


class Hub(BaseModel):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")

    name = models.CharField(_("name"), max_length=120)
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="hubs")
    languages = models.JSONField(_("languages"), default=list, blank=True)
    sponsor = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sponsored",
        verbose_name=_("sponsor"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PROPOSED
    )
    # "rootid/childid/.../ownid": set by the services when the hub is created or sponsored.
    path = models.CharField(max_length=16 * 17, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    # When the hub became active: the growth of a campaign's hub tree is counted by this.
    activated_at = models.DateTimeField(_("activated"), null=True, blank=True, editable=False)

    objects = HubQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("hub")
        verbose_name_plural = _("hubs")

    def __str__(self):
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def has_public_page(self) -> bool:
        """Whether `hubs:detail` shows this hub (`HubQuerySet.public`), for links to it."""
        return self.is_active and not is_high_risk_city(self.city)

    @property
    def public_sponsor(self) -> "Hub | None":
        """The sponsor as the public may see it: a suspended or proposed hub stays hidden, and
        so does a hub in a high-risk country (asked here unless `HubQuerySet.public` did)."""
        sponsor = self.sponsor
        if sponsor is None or not sponsor.is_active:
            return None
        hidden = getattr(self, "sponsor_high_risk", None)
        if hidden is None:
            hidden = is_high_risk_city(sponsor.city)
        return None if hidden else sponsor

    def tree_path_for(self, sponsor: "Hub | None") -> tuple[str, int]:
        if sponsor is None:
            return self.public_id, 0
        return f"{sponsor.path}/{self.public_id}", sponsor.depth + 1

    def language_names(self) -> list[str]:
        names = dict(settings.LANGUAGES)
        return [str(names.get(code, code)) for code in self.languages]


class Membership(models.Model):
    """A person's role in a hub. Public pages never show memberships."""

    class Role(models.TextChoices):
        LEAD = "lead", _("hub lead")
        ORGANIZER = "organizer", _("hub organizer")
        SAFETY_LEAD = "safety_lead", _("hub safety lead")
        MEMBER = "member", _("hub member")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "hub"], name="membership_one_role_per_hub")
        ]

    def __str__(self):
        return f"{self.user_id}@{self.hub_id}:{self.role}"


class CampaignRole(models.Model):
    """A person's role in a campaign: coordinators verify hubs, approve actions, broadcast."""

    class Role(models.TextChoices):
        COORDINATOR = "coordinator", _("campaign coordinator")
        # Watches the campaign's safety desk on the day and is mailed high-severity incidents.
        SAFETY_COORDINATOR = "safety_coordinator", _("safety coordinator")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="campaign_roles"
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="roles"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("campaign role")
        verbose_name_plural = _("campaign roles")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "campaign"], name="campaign_role_one_per_campaign"
            )
        ]

    def __str__(self):
        return f"{self.user_id}@{self.campaign_id}:{self.role}"


class HubApplication(models.Model):
    """What the person who proposed a hub gave. Kept apart from the hub, which becomes public
    once active, while this is personal: the email is encrypted, and both it and the motivation
    are blanked when the hub is activated (the applicant's invitation carries the email on)."""

    hub = models.OneToOneField(Hub, on_delete=models.CASCADE, related_name="application")
    email = EncryptedTextField(_("applicant email"), blank=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    motivation = models.TextField(_("motivation"), blank=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(_("link expires"))
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("hub application")
        verbose_name_plural = _("hub applications")

    def __str__(self):
        return f"application:{self.hub_id}"

    def is_expired(self, now: dt.datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.expires_at


class Vouch(models.Model):
    """An organizer of an active hub vouching, as that hub, for a proposed hub. A person vouches
    once per proposal, and so does a hub: two vouches always come from two people and two hubs."""

    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="vouches")
    voucher = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    voucher_hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="vouches_given")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("vouch")
        verbose_name_plural = _("vouches")
        constraints = [
            models.UniqueConstraint(fields=["hub", "voucher"], name="vouch_once_per_organizer"),
            models.UniqueConstraint(fields=["hub", "voucher_hub"], name="vouch_once_per_hub"),
        ]

    def __str__(self):
        return f"{self.voucher_hub_id}->{self.hub_id}"


class InvitationQuerySet(models.QuerySet):
    def open(self, now: dt.datetime | None = None) -> "InvitationQuerySet":
        return self.filter(used_at__isnull=True, expires_at__gt=now or timezone.now())


class Invitation(BaseModel):
    """A single-use, expiring invitation to join a hub with a role, or a campaign as one of its
    coordinators (exactly one of `hub` and `campaign`). Only the hash of its token is stored; the
    token exists in the invitation mail alone. It works only for the account of the address it
    was sent to. The email is blanked on use."""

    hub = models.ForeignKey(
        Hub, null=True, blank=True, on_delete=models.CASCADE, related_name="invitations"
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    role = models.CharField(
        _("role"),
        max_length=32,
        choices=[*Membership.Role.choices, *CampaignRole.Role.choices],
    )
    email = EncryptedTextField(_("email"), blank=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("used by"),
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("invited by"),
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            # To a hub with one of its roles, or to a campaign as a coordinator: never both.
            models.CheckConstraint(
                condition=models.Q(
                    hub__isnull=False,
                    campaign__isnull=True,
                    role__in=Membership.Role.values,
                )
                | models.Q(
                    hub__isnull=True,
                    campaign__isnull=False,
                    role=CampaignRole.Role.COORDINATOR,
                ),
                name="invitation_to_a_hub_or_a_campaign",
            )
        ]

    def __str__(self):
        return f"invitation:{self.public_id}"

    def is_open(self, now: dt.datetime | None = None) -> bool:
        return self.used_at is None and (now or timezone.now()) < self.expires_at

    @property
    def is_to_campaign(self) -> bool:
        return self.campaign_id is not None


class ParticipationQuerySet(models.QuerySet):
    def accepted(self) -> "ParticipationQuerySet":
        return self.filter(state=Participation.State.ACCEPTED)

    def pending(self) -> "ParticipationQuerySet":
        return self.filter(state=Participation.State.PENDING)


class Participation(models.Model):
    """A hub's answer to a campaign's call: from then on the hub takes part in the campaign and
    the campaign's coordinators oversee it. Where the campaign's coordinators accept each hub
    (`Campaign.HubPolicy.APPROVAL`) the answer waits (`pending`) until one of them accepts it;
    until then the hub plans nothing in the campaign and receives none of its broadcasts."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for a coordinator")
        ACCEPTED = "accepted", _("Accepted")

    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="participations")
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="participations"
    )
    state = models.CharField(
        _("state"), max_length=8, choices=State.choices, default=State.ACCEPTED
    )
    answered_at = models.DateTimeField(_("answered"), default=timezone.now)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("answered by"),
    )
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("accepted by"),
    )

    objects = ParticipationQuerySet.as_manager()

    class Meta:
        ordering = ["answered_at", "id"]
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            models.UniqueConstraint(
                fields=["hub", "campaign"], name="participation_one_answer_per_campaign"
            )
        ]

    def __str__(self):
        return f"{self.hub_id}@{self.campaign_id}:{self.state}"

    @property
    def is_accepted(self) -> bool:
        return self.state == self.State.ACCEPTED
