from urllib.parse import quote

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from streetwave.core import ratelimit
from streetwave.core.errors import DomainError
from streetwave.core.text import render_markdown

from .. import services
from ..access import (
    get_public_action,
    get_rsvp_for_token,
    latest_emergency_notice,
    public_changes,
)
from ..calendars import calendar_response
from ..forms import ManageRSVPForm, RSVPForm
from ..models import Action


def _geo_uri(action) -> str:
    """A geo: URI (RFC 5870) that a phone hands to its own map app, coordinates to 4 decimals
    (~11 m) as on the map; the `q=lat,lon(label)` query names the place in the apps that read
    it (Android's) and is ignored by the others."""
    point = f"{action.latitude:.4f},{action.longitude:.4f}"
    label = quote(f"{action.place}, {action.city.display_name()}", safe="")
    return f"geo:{point}?q={point}({label})"


def _detail(request, action, form, status=200):
    # Once for the whole page: every part of it says the same about where the action stands.
    phase = action.phase
    return render(
        request,
        "actions/detail.html",
        {
            "action": action,
            "phase": phase,
            "Phase": Action.Phase,
            # Cancelled or over, an action has nothing to offer a calendar or an RSVP.
            "in_calendar": action.status != Action.Status.CANCELLED and phase != Action.Phase.ENDED,
            "open_for_rsvp": phase != Action.Phase.ENDED and action.is_open_for_rsvp,
            "geo_uri": _geo_uri(action),
            # The page's own address, also when it answers a refused RSVP.
            "page_url": request.build_absolute_uri(
                reverse("actions:detail", args=[action.public_id])
            ),
            "description": render_markdown(action.description),
            "form": form,
            "changes": public_changes(action),
            # Not cached anywhere (neither here nor in front of the app): a notice shows on the
            # next request.
            "emergency_notice": latest_emergency_notice(action),
        },
        status=status,
    )


def detail(request, public_id):
    action = get_public_action(public_id)
    form = RSVPForm(initial={"language": request.LANGUAGE_CODE}, action=action)
    return _detail(request, action, form)


@require_POST
def rsvp(request, public_id):
    action = get_public_action(public_id)
    form = RSVPForm(request.POST, action=action)
    if not form.is_valid():
        return _detail(request, action, form, status=400)
    try:
        ratelimit.limit("rsvp", request, limit=settings.RSVP_RATE_LIMIT)
        receipt = services.create_rsvp(action, **form.cleaned_data)
    except DomainError as error:
        form.add_error(error.field, error.message)
        return _detail(request, action, form, status=error.status_code)
    # The page may carry a manage link: as the answer to a form, core.middleware.NoStoreMiddleware
    # keeps it out of every cache and history restore.
    return render(request, "actions/rsvp_done.html", {"receipt": receipt, "action": action})


def manage(request, token):
    rsvp = get_rsvp_for_token(token)
    form = ManageRSVPForm(instance=rsvp)
    done = None
    if request.method == "POST":
        if "cancel" in request.POST:
            services.cancel_rsvp(rsvp)
            done = "cancelled"
        else:
            form = ManageRSVPForm(request.POST, instance=rsvp)
            if form.is_valid():
                services.update_rsvp(rsvp, **form.cleaned_data)
                done = "updated"
    return render(
        request,
        "actions/manage.html",
        {
            "rsvp": rsvp,
            "action": rsvp.action,
            "form": form,
            "done": done,
            "meeting_point": rsvp.visible_meeting_point(),
        },
        status=400 if form.errors else 200,
    )


def calendar(request, public_id):
    action = get_public_action(public_id)
    return calendar_response([action], name=action.title, filename=f"action-{action.public_id}")
