"""Exports of an attendee list: pseudonyms and statuses, never contacts.

Organizer A asks; a second person approves (another organizer of the hub or, when it has none,
a coordinator of the action's campaign: the one two-person rule of streetwave.approvals); then
A, and only A, may download the file once, within EXPORT_LINK_LIFETIME of the approval. The CSV
is built at the moment of download and never stored, so no copy outlives the RSVPs' retention
on our side.
"""

import csv
import io

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from streetwave.accounts.models import User
from streetwave.approvals.models import Approval
from streetwave.audit.services import record
from streetwave.core.errors import DomainError, NotAllowed
from streetwave.hubs.permissions import can

from ..models import EXPORT_LINK_LIFETIME, RSVP, Action, AttendeeExport
from .held import approve_held


class ExportUnavailable(DomainError):
    """Used, expired, not approved or not yours: to the requester it looks like a missing page."""

    status_code = 404


def request_attendee_export(action: Action, *, actor: User) -> AttendeeExport:
    if not can(actor, "can_request_export", action):
        raise NotAllowed()
    with transaction.atomic():
        export = AttendeeExport.objects.create(action=action, requested_by=actor)
        record(
            "attendee_export.requested",
            actor=actor,
            target=action,
            hub=action.hub,
            data={"export": export.public_id},
        )
    return export


def approve_attendee_export(export: AttendeeExport, *, actor: User) -> AttendeeExport:
    return approve_held(
        export,
        "can_approve_export",
        actor=actor,
        verb="attendee_export.approved",
        data=lambda row: {"export": row.public_id},
    )


def _safe_cell(value: str) -> str:
    # A pseudonym like "=HYPERLINK(...)" would run as a formula in a spreadsheet.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def download_attendee_export(export: AttendeeExport, *, actor: User) -> str:
    """Spend the export: mark it used (only once, only for its requester, only in time) and
    return the CSV text."""
    if not can(actor, "can_request_export", export.action):
        raise ExportUnavailable()
    now = timezone.now()
    with transaction.atomic():
        spent = AttendeeExport.objects.filter(
            pk=export.pk,
            requested_by=actor,
            approval=Approval.APPROVED,
            used_at__isnull=True,
            approved_at__gt=now - EXPORT_LINK_LIFETIME,
        ).update(used_at=now, updated_at=now)
        if not spent:
            raise ExportUnavailable()
        action = export.action
        rows = (
            RSVP.objects.filter(action=action)
            .exclude(status=RSVP.Status.CANCELLED)
            .order_by("created_at", "id")
            .only("pseudonym", "status")
        )
        statuses = dict(RSVP.Status.choices)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([_("Name or pseudonym"), _("Status")])
        count = 0
        for rsvp in rows:
            writer.writerow(
                [_safe_cell(rsvp.pseudonym) or _("anonymous"), str(statuses[rsvp.status])]
            )
            count += 1
        record(
            "attendee_export.downloaded",
            actor=actor,
            target=action,
            hub=action.hub,
            data={"export": export.public_id, "rows": count},
        )
    return out.getvalue()
