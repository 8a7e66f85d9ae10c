"""Organizer accounts. Supporters never have one: they RSVP with a token."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from streetwave.core.ids import new_public_id
from streetwave.core.models import BaseModel


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: Any) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(
        _("display name"),
        max_length=80,
        blank=True,
        help_text=_("Shown to other organizers. A nickname is fine."),
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("staff"), default=False)
    # Runs the instance: creates campaigns, appoints their coordinators (hubs/permissions.py).
    # Not staff: an operator works on the organizer pages, behind the same second factor.
    is_operator = models.BooleanField(_("operator"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.display_name or self.email


class UserSessionQuerySet(models.QuerySet):
    def open(self) -> "UserSessionQuerySet":
        return self.filter(ended_at__isnull=True)


# How far `UserSession.last_seen_at` is rounded down: the list needs "about when", not a trail.
LAST_SEEN_STEP = dt.timedelta(minutes=5)


class UserSession(BaseModel):
    """One signed-in browser of an account, so that its owner can see and end it.

    Only what the sessions page needs: never the session key itself (a leaked table must not
    hand out sessions), never an address, and the user agent only as "browser on system".
    """

    class EndReason(models.TextChoices):
        SIGNED_OUT = "signed_out", _("signed out")
        IDLE = "idle", _("inactive for too long")
        EXPIRED = "expired", _("too old")
        REVOKED = "revoked", _("ended from another session")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sessions"
    )
    key_hash = models.CharField(max_length=64, db_index=True)
    device = models.CharField(_("device"), max_length=80, blank=True)
    # Rounded down to LAST_SEEN_STEP.
    last_seen_at = models.DateTimeField(_("last seen"))
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    end_reason = models.CharField(
        _("end reason"), max_length=16, choices=EndReason.choices, blank=True
    )

    objects = UserSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self):
        return f"{self.user_id}:{self.public_id}"
