"""Fetch what a user may see of report-backs and their photos, or answer 404. Every rule comes
from hubs.permissions: a held report-back is seen by those who may file or verify one of its
action, a verified one by anyone (through its action's public page). The file of a photo that is
ready and not taken down is public once its report-back is verified and current on a public
action; before, only those who may file or verify the report-back see it."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from streetwave.actions.models import RSVP, Action
from streetwave.hubs.permissions import Asker, permissions_for, require

from .models import Photo, ReportBack

# Who may open an action's report-back pages: its filers and its second persons.
_REPORTERS = frozenset({"can_file_report_back", "can_verify_report_back"})


def get_action_to_report_for(user: Asker, public_id: str) -> tuple[Action, frozenset[str]]:
    """The action and the user's permissions over it, 404 unless they may file or verify its
    report-back."""
    action: Action = get_object_or_404(Action.objects.with_place(), public_id=public_id)
    permissions = permissions_for(user, action)
    if not permissions & _REPORTERS:
        raise Http404
    return action, permissions


def get_report_back_for(user: Asker, public_id: str) -> tuple[ReportBack, frozenset[str]]:
    """A report-back (held, verified, withdrawn or superseded) and the user's permissions over
    its action, 404 unless they may file or verify a report-back of that action."""
    report_back: ReportBack = get_object_or_404(
        ReportBack.objects.select_related(
            "action", "action__hub", "action__campaign", "action__city", "requested_by"
        ),
        public_id=public_id,
    )
    permissions = permissions_for(user, report_back.action)
    if not permissions & _REPORTERS:
        raise Http404
    return report_back, permissions


def get_rsvp_to_check_in_for(user: Asker, public_id: str) -> RSVP:
    """An RSVP an organizer may mark as attended: one of an action whose attendees they see;
    404 otherwise. Its contact column is never loaded."""
    rsvp: RSVP = get_object_or_404(
        RSVP.objects.select_related("action", "action__hub", "action__campaign").only(
            "public_id", "status", "action"
        ),
        public_id=public_id,
    )
    require(user, "can_view_attendees", rsvp.action)
    return rsvp


def get_public_report_back(action_public_id: str) -> ReportBack:
    """The current verified report-back of a public action, with its action: 404 when the action
    is not public or nobody verified a report-back of it."""
    report_back: ReportBack = get_object_or_404(
        ReportBack.objects.verified()
        .filter(action__in=Action.objects.public())
        .select_related("action", "action__hub", "action__city__country", "action__campaign"),
        action__public_id=action_public_id,
    )
    return report_back


def get_photo_for(user: Asker, public_id: str) -> tuple[Photo, frozenset[str]]:
    """A photo of any state and the user's permissions over its action: 404 unless they may
    file or verify its report-back."""
    photo: Photo = get_object_or_404(
        Photo.objects.select_related("report_back__action__hub", "report_back__action__campaign"),
        public_id=public_id,
    )
    permissions = permissions_for(user, photo.report_back.action)
    if not permissions & _REPORTERS:
        raise Http404
    return photo, permissions


def get_photo_file_for(user: Asker, public_id: str) -> tuple[Photo, bool]:
    """A shown photo and whether it is public (True) or seen only by the report-back's people."""
    photo: Photo = get_object_or_404(
        Photo.objects.shown().select_related("report_back__action"), public_id=public_id
    )
    if photo.report_back.is_current:
        try:
            public = get_public_report_back(photo.report_back.action.public_id)
        except Http404:
            pass
        else:
            if public.pk == photo.report_back_id:
                return photo, True
    if permissions_for(user, photo.report_back.action) & _REPORTERS:
        return photo, False
    raise Http404
