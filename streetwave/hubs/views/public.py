from django.shortcuts import render
from django.utils import timezone

from streetwave.actions.calendars import calendar_response
from streetwave.actions.models import Action

from ..access import get_public_hub
from ..models import Hub


def detail(request, public_id):
    hub = get_public_hub(public_id)
    actions = Action.objects.public().filter(hub=hub).select_related("city", "campaign")
    now = timezone.now()
    return render(
        request,
        "hubs/detail.html",
        {
            "hub": hub,
            "upcoming": [a for a in actions if a.ends_at >= now],
            "past": [a for a in actions if a.ends_at < now][::-1],
            "sponsored": Hub.objects.active().filter(sponsor=hub).select_related("city"),
        },
    )


def calendar(request, public_id):
    hub = get_public_hub(public_id)
    actions = Action.objects.public().filter(hub=hub).select_related("city")
    return calendar_response(actions, name=hub.name, filename=f"hub-{hub.public_id}")
