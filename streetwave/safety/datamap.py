"""What safety keeps about people: incidents' texts and reporters, and who holds a safety role
(the data map: streetwave/core/datamap.py)."""

import datetime as dt

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from streetwave.core.datamap import ModelMap, Owned, Personal, register

from .models import (
    Incident,
    IncidentNote,
    IncidentPhoto,
    RightsCard,
    SafetyBriefing,
    SafetyRole,
)

_HANDLERS = _("those who handle the action's incidents")


def _cutoff(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(days=settings.INCIDENT_RETENTION_DAYS)


def _incidents_past_their_time(now: dt.datetime) -> QuerySet[Incident]:
    """INCIDENT_RETENTION_DAYS after an incident was resolved or its action ended."""
    cutoff = _cutoff(now)
    return Incident.objects.filter(erased_at__isnull=True).filter(
        Q(resolved_at__lte=cutoff) | Q(action__ends_at__lte=cutoff)
    )


def _notes_past_their_time(now: dt.datetime) -> QuerySet[IncidentNote]:
    cutoff = _cutoff(now)
    return IncidentNote.objects.filter(
        Q(incident__resolved_at__lte=cutoff) | Q(incident__action__ends_at__lte=cutoff)
    )


def _photos_past_their_time(now: dt.datetime) -> QuerySet[IncidentPhoto]:
    cutoff = _cutoff(now)
    return IncidentPhoto.objects.filter(
        Q(incident__resolved_at__lte=cutoff) | Q(incident__action__ends_at__lte=cutoff)
    )


_INCIDENT_LIVES = _(
    "INCIDENT_RETENTION_DAYS (90) after the incident was resolved or its action ended, "
    "whichever comes first; the row stays for the counts"
)

register(
    ModelMap(
        Incident,
        fields=[
            Personal("text", _("what happened, in the reporter's words"), _HANDLERS),
            Personal("contact", _("how to reach the reporter"), _HANDLERS),
            Personal(
                "reporter_rsvp",
                _("the RSVP of the supporter who reported it"),
                _("nobody"),
                exported=False,
            ),
        ],
        lives=_INCIDENT_LIVES,
        expires=_incidents_past_their_time,
        also=lambda now: {"wants_contact": False, "erased_at": now, "updated_at": now},
        # A supporter's own erasure leaves the incident without a reporter, its text for the
        # handlers until its time.
        owners={"rsvp": Owned("reporter_rsvp", fields=("reporter_rsvp",))},
    ),
    ModelMap(
        IncidentNote,
        fields=[Personal("text", _("the handlers' log"), _HANDLERS)],
        lives=_INCIDENT_LIVES,
        expires=_notes_past_their_time,
        erase="delete",
    ),
    ModelMap(
        IncidentPhoto,
        fields=[
            Personal("file", _("a photo sent with the report (every face covered)"), _HANDLERS),
            Personal(
                "upload_name",
                _("the uploaded file's name"),
                _("only the task that processes the upload"),
                lives=_("blanked when the processing task ran"),
            ),
            Personal(
                "upload_type",
                _("the uploaded file's type"),
                _("only the task that processes the upload"),
                lives=_("blanked when the processing task ran"),
            ),
        ],
        not_personal={"failure": _("why processing failed, a kind of error")},
        lives=_(
            "deleted with its file when the incident's text is erased: INCIDENT_RETENTION_DAYS "
            "(90) after the incident was resolved or its action ended"
        ),
        expires=_photos_past_their_time,
        erase="delete",
    ),
    ModelMap(
        SafetyRole,
        fields=[
            Personal(
                "kind",
                _("safety role offered or held"),
                _("the hub's leads, organizers and safety leads"),
            ),
            Personal("rsvp", _("the supporter's RSVP"), _("nobody"), exported=False),
        ],
        lives=_("goes with the RSVP or the account that holds it"),
        erase="delete",
        owners={"rsvp": Owned("rsvp"), "account": Owned("user")},
    ),
    ModelMap(
        SafetyBriefing,
        not_personal={"texts": _("a briefing written for many readers; names nobody")},
    ),
    ModelMap(
        RightsCard,
        not_personal={"texts": _("a know-your-rights card for many readers; names nobody")},
    ),
)
