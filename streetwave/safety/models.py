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
from streetwave.campaigns.models import Campaign
from streetwave.core.crypto import EncryptedTextField
from streetwave.core.models import BaseModel
from streetwave.places.models import Country

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
    # Personal data: blanked by the retention job (erased_at says when; safety/datamap.py).
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


def incident_photo_file_name(photo: "IncidentPhoto", _uploaded_name: str) -> str:
    """Random names only: the incident's and the photo's public ids, never the upload's name."""
    return f"incidents/{photo.incident.public_id}/{photo.public_id}.jpg"


class IncidentPhoto(BaseModel):
    """An incident's optional photo: only the processed copy (core.images, every face covered,
    no metadata) is stored, and only those who handle the incident may fetch it, never cached.
    The upload waits in a private file until a task processes it (core.uploads); the file goes
    with the row, whatever deletes it, and the row with the incident's retention."""

    class State(models.TextChoices):
        PROCESSING = "processing", _("processing")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")

    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="photo")
    file = models.FileField(
        _("file"), upload_to=incident_photo_file_name, blank=True, max_length=200
    )
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.PROCESSING)
    # The name of the refusal (a core.images.PhotoRefused subclass), shown translated.
    failure = models.CharField(max_length=40, blank=True)
    # The name and type the browser gave (checked against the content), emptied once processed.
    upload_name = models.CharField(max_length=200, blank=True)
    upload_type = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name = _("incident photo")
        verbose_name_plural = _("incident photos")
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="ready") | ~Q(file=""), name="incident_photo_ready_has_file"
            ),
        ]

    def __str__(self) -> str:
        return f"incident-photo:{self.public_id}"


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


# Safety roles, briefings and know-your-rights cards. A role is held at one action by an
# organizer of its hub (their account) or by a supporter who offered it (their RSVP); organizers
# see the supporter by pseudonym only, never by contact.


class SafetyRoleQuerySet(models.QuerySet):
    def confirmed(self) -> "SafetyRoleQuerySet":
        return self.filter(state=SafetyRole.State.CONFIRMED)

    def standing(self) -> "SafetyRoleQuerySet":
        """Roles that still stand: an RSVP's role lapses with its RSVP's cancellation (the row
        stays, for when the supporter comes back)."""
        return self.filter(Q(rsvp__isnull=True) | Q(rsvp__status__in=RSVP.LIVE))


class SafetyRole(BaseModel):
    class Kind(models.TextChoices):
        MARSHAL = "marshal", _("Marshal")
        LEGAL_OBSERVER = "legal_observer", _("Legal observer")
        MEDIC = "medic", _("Medic")
        DE_ESCALATION = "de_escalation", _("De-escalation")

    class State(models.TextChoices):
        OFFERED = "offered", _("Offered")
        CONFIRMED = "confirmed", _("Confirmed")

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="safety_roles")
    kind = models.CharField(_("role"), max_length=16, choices=Kind.choices)
    # Exactly one holder: an organizer's account, or a supporter's RSVP.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    rsvp = models.ForeignKey(
        RSVP, null=True, blank=True, on_delete=models.CASCADE, related_name="safety_roles"
    )
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.OFFERED
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)

    objects = SafetyRoleQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "created_at", "id"]
        verbose_name = _("safety role")
        verbose_name_plural = _("safety roles")
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=True, rsvp__isnull=False)
                | Q(user__isnull=False, rsvp__isnull=True),
                name="safety_role_one_holder",
            ),
            models.CheckConstraint(
                condition=~Q(state="confirmed") | Q(confirmed_at__isnull=False),
                name="safety_role_confirmed_has_time",
            ),
            models.UniqueConstraint(
                fields=["action", "kind", "user"],
                condition=Q(user__isnull=False),
                name="safety_role_once_per_organizer",
            ),
            models.UniqueConstraint(
                fields=["action", "kind", "rsvp"],
                condition=Q(rsvp__isnull=False),
                name="safety_role_once_per_rsvp",
            ),
        ]

    def __str__(self) -> str:
        return f"safety-role:{self.public_id}"

    @property
    def is_confirmed(self) -> bool:
        return self.state == self.State.CONFIRMED


# The roles whose absence the safety desk names: an action without them should not start.
ESSENTIAL_ROLES = (SafetyRole.Kind.MARSHAL, SafetyRole.Kind.MEDIC)


def text_in(texts: dict[str, str], language: str, languages: list[str]) -> str:
    """The text of `texts` ({language: text}) in `language`, else in the first of `languages`
    (the campaign's, in order) that has one, else any; empty when none has any."""
    for code in [language, *languages, *texts]:
        if texts.get(code):
            return texts[code]
    return ""


class SafetyBriefing(BaseModel):
    """What the organizers tell an action's safety role holders ("the medics meet at the
    fountain at 13:30"): a text per language of the action's campaign."""

    action = models.OneToOneField(Action, on_delete=models.CASCADE, related_name="safety_briefing")
    # {"en": "...", "fa": "..."}
    texts = models.JSONField(_("texts"), default=dict)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("safety briefing")
        verbose_name_plural = _("safety briefings")

    def __str__(self) -> str:
        return f"safety-briefing:{self.public_id}"

    def text_for(self, language: str, languages: list[str]) -> str:
        """The text in `language`, else in the first of `languages` that has one."""
        return text_in(self.texts, language, languages)


class RightsCard(BaseModel):
    """A know-your-rights card of a campaign for one country (legal observers' numbers, what to
    do if detained, what not to carry), written by its coordinators in the campaign's languages
    and shown with every action of the campaign in that country."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="rights_cards")
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+")
    # {"en": "...", "fa": "..."}
    texts = models.JSONField(_("texts"), default=dict)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["country__name"]
        verbose_name = _("know-your-rights card")
        verbose_name_plural = _("know-your-rights cards")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "country"], name="rights_card_one_per_country"
            )
        ]

    def __str__(self) -> str:
        return f"rights-card:{self.public_id}"

    def text_for(self, language: str, languages: list[str]) -> str:
        """The text in `language`, else in the first of `languages` that has one."""
        return text_in(self.texts, language, languages)
