"""Fetch what a user may see of report-backs' photos, or answer 404. The file of a photo that is
ready and not taken down is public once its report-back is verified and current on a public
action; before, only those who may file or verify the report-back see it."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from streetwave.hubs.permissions import Asker, permissions_for

from .access import get_public_report_back
from .models import Photo

_REPORTERS = frozenset({"can_file_report_back", "can_verify_report_back"})


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
