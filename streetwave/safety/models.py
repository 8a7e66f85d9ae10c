"""Safety on the day: incidents reported at an action, and their notes.

An incident's text, its notes and its reporter's contact are personal data: encrypted at rest,
shown to the action's organizers and the campaign's safety desk only, and erased
INCIDENT_RETENTION_DAYS after the incident is resolved or its action ended (the counts stay).
A supporter who reports from their manage link is kept as their RSVP, never shown to anyone.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from streetwave.actions.models import RSVP, Action
from streetwave.core.crypto import EncryptedTextField
from streetwave.core.models import BaseModel

# A short text: what happened, not a statement.
INCIDENT_TEXT_MAX_LENGTH = 1000


class IncidentQuerySet(models.QuerySet):
    def open(self) -> "IncidentQuerySet":
        return self.exclude(state=Incident.State.RESOLVED)


class Incident(BaseModel):
    class Kind(models.TextChoices):
        MEDICAL = "medical", _("Medical")
        POLICE = "police", _("Police")
        COUNTER_PROTEST = "counter_protest", _("Counter-protest")
        HARASSMENT = "harassment", _("Harassment")
        SURVEILLANCE = "surveillance", _("Filming or surveillance")
        INFILTRATOR = "infiltrator", _("Suspected infiltrator")
        THREAT = "threat", _("Threat of violence")
        OTHER = "other", _("Other")

    class Severity(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")

    class Source(models.TextChoices):
        ORGANIZER = "organizer", _("An organizer")
        ROLE_HOLDER = "role_holder", _("A safety role holder")
        SUPPORTER = "supporter", _("A supporter")
        PUBLIC = "public", _("Someone at the action")

    class State(models.TextChoices):
        NEW = "new", _("New")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        RESOLVED = "resolved", _("Resolved")

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="incidents")
    kind = models.CharField(_("what happened"), max_length=16, choices=Kind.choices)
    severity = models.CharField(
        _("how serious"), max_length=8, choices=Severity.choices, default=Severity.MEDIUM
    )
    happened_at = models.DateTimeField(_("when"))
    # Personal data: blanked by the retention task (erased_at says when).
    text = EncryptedTextField(_("what you saw"), blank=True)
    # Kept only with wants_contact (the service refuses it otherwise).
    contact = EncryptedTextField(_("how to reach you"), blank=True)
    wants_contact = models.BooleanField(_("I want to be contacted"), default=False)
    source = models.CharField(_("reported by"), max_length=16, choices=Source.choices)
    # Who reported it, never shown: the organizer's account, or the supporter's RSVP.
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reporter_rsvp = models.ForeignKey(
        RSVP, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.NEW, db_index=True
    )
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    erased_at = models.DateTimeField(_("text erased"), null=True, blank=True)

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-happened_at", "-id"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        indexes = [models.Index(fields=["action", "state"], name="incident_action_state_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="acknowledged") | Q(acknowledged_at__isnull=False),
                name="incident_acknowledged_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(state="resolved") | Q(resolved_at__isnull=False),
                name="incident_resolved_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"incident:{self.public_id}"


class IncidentNote(BaseModel):
    """One line of an incident's log, written by whoever handles it. Erased with the text."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = EncryptedTextField(_("note"))

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("incident note")
        verbose_name_plural = _("incident notes")

    def __str__(self) -> str:
        return f"incident-note:{self.public_id}"
