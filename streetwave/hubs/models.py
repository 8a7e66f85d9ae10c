"""Hubs: local groups, one city each. A hub's sponsor is the hub that vouched for it, so hubs
form a tree; `path` (the public ids from the root down) makes depth and descendants one query."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from streetwave.core.models import BaseModel
from streetwave.places.models import City


class HubQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Hub.Status.ACTIVE)

    def descendants_of(self, hub: "Hub"):
        return self.filter(path__startswith=hub.path + "/")


class Hub(BaseModel):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        ACTIVE = "active", _("active")
        SUSPENDED = "suspended", _("suspended")

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
    def public_sponsor(self) -> "Hub | None":
        """The sponsor as the public may see it: a suspended or proposed hub stays hidden."""
        return self.sponsor if self.sponsor is not None and self.sponsor.is_active else None

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

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="campaign_roles"
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="roles"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
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
