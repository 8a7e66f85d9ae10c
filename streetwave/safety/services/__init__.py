"""The only code that writes safety: incidents, safety roles, briefings and know-your-rights
cards.

One module per subject (`incidents`: reporting, handling; `roles`: safety roles, the
briefing of their holders, the campaign's cards); the public names are re-exported here, so
callers write `from streetwave.safety import services` and `services.take_safety_role(...)`.
"""

from .incidents import (
    ALERT_KIND,
    CLOCK_SLACK,
    REPORTED_FROM,
    AlreadyAcknowledged,
    AlreadyResolved,
    IncidentErased,
    ReportingClosed,
    acknowledge_incident,
    add_incident_note,
    is_reporting_open,
    report_incident,
    reporting_window,
    resolve_incident,
)
from .photos import (
    UPLOADS,
    PhotoUpload,
    photo_failure,
    process_incident_photo,
    process_incident_photo_task,
    remove_incident_photo_files,
    sweep_incident_photo_uploads,
)
from .roles import (
    BRIEFING_MAIL,
    BRIEFING_MAX_LENGTH,
    RIGHTS_CARD_MAX_LENGTH,
    AlreadyHeld,
    OfferUnavailable,
    SafetyRolesClosed,
    UnknownRole,
    briefing_languages,
    card_languages,
    confirm_safety_role,
    decline_safety_role,
    offer_safety_roles,
    take_safety_role,
    write_rights_card,
    write_safety_briefing,
)

__all__ = [
    "ALERT_KIND",
    "BRIEFING_MAIL",
    "BRIEFING_MAX_LENGTH",
    "CLOCK_SLACK",
    "REPORTED_FROM",
    "RIGHTS_CARD_MAX_LENGTH",
    "UPLOADS",
    "AlreadyAcknowledged",
    "AlreadyHeld",
    "AlreadyResolved",
    "IncidentErased",
    "OfferUnavailable",
    "PhotoUpload",
    "ReportingClosed",
    "SafetyRolesClosed",
    "UnknownRole",
    "acknowledge_incident",
    "add_incident_note",
    "briefing_languages",
    "card_languages",
    "confirm_safety_role",
    "decline_safety_role",
    "is_reporting_open",
    "offer_safety_roles",
    "photo_failure",
    "process_incident_photo",
    "process_incident_photo_task",
    "remove_incident_photo_files",
    "report_incident",
    "reporting_window",
    "resolve_incident",
    "sweep_incident_photo_uploads",
    "take_safety_role",
    "write_rights_card",
    "write_safety_briefing",
]
