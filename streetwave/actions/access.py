from django.http import Http404
from django.shortcuts import get_object_or_404

from streetwave.core.ids import hash_token

from .models import RSVP, Action


def get_public_action(public_id: str) -> Action:
    return get_object_or_404(Action.objects.public().with_place(), public_id=public_id)


def get_rsvp_for_token(token: str) -> RSVP:
    """The live RSVP a manage link points to. A wrong, replaced or used link is a plain 404."""
    if not token or len(token) > 100:
        raise Http404
    return get_object_or_404(
        RSVP.objects.select_related("action", "action__city", "action__hub"),
        manage_token_hash=hash_token(token),
        status__in=RSVP.LIVE,
    )
