"""Organizer pages of safety: an action's incidents (report one, see them), one incident
(acknowledge, resolve, notes, an emergency notice pre-filled from it) and the campaign's
safety desk. Every view passes organizer_required, then an access helper (404), then at most
one service."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from streetwave.accounts.decorators import organizer_required
from streetwave.core.i18n import localize_digits
from streetwave.core.views.buttons import press
from streetwave.core.views.forms import fill_in
from streetwave.hubs.permissions import permissions_for

from .. import queries, services
from ..access import (
    get_action_incidents_for,
    get_desk_for,
    get_incident_for,
    get_incident_photo_for,
)
from ..forms import IncidentForm, NoteForm
from ..models import Incident, IncidentPhoto


@organizer_required
def action_incidents(request, action_id):
    action, permissions = get_action_incidents_for(request.user, action_id)
    may_report = "can_report_incident" in permissions
    incidents = list(queries.incidents_of(action)) if "can_handle_incident" in permissions else None

    def show(form, status):
        return render(
            request,
            "safety/manage/action_incidents.html",
            {
                "action": action,
                "permissions": permissions,
                "form": form if may_report else None,
                "is_open": services.is_reporting_open(action),
                "incidents": incidents,
            },
            status=status,
        )

    if request.method == "POST" and not may_report:
        return show(None, 405)

    def done(incident: Incident):
        messages.success(request, _("The incident is reported."))
        if incidents is not None:
            return redirect("safety:incident", incident.public_id)
        return redirect("safety:action_incidents", action.public_id)

    def make_form(data=None):
        return IncidentForm(data, request.FILES if data is not None else None)

    return fill_in(
        request,
        make_form,
        show=show,
        save=lambda form: services.report_incident(
            action, source=Incident.Source.ORGANIZER, actor=request.user, **form.report()
        ),
        done=done,
    )


def emergency_draft(incident: Incident) -> str:
    """A first line for the emergency notice sent from an incident: its kind and time, never
    what the reporter wrote. The organizer says what to do."""
    return _("Safety notice: %(kind)s reported at %(time)s.") % {
        "kind": incident.get_kind_display(),
        "time": localize_digits(
            incident.happened_at.astimezone(incident.action.zone).strftime("%H:%M")
        ),
    }


def _who(request, user, shows_names: bool) -> str:
    """How the page names someone who handled the incident: the hub's own people see names; a
    coordinator sees no name of the hub's people (the hub graph), only that someone did."""
    if user is None:
        return _("someone who no longer has an account")
    if user.pk == request.user.pk:
        return _("you")
    if shows_names:
        return user.display_name or _("an organizer")
    return _("someone who handles incidents")


def _incident_page(request, incident, note_form=None, status=200):
    action = incident.action
    photo = IncidentPhoto.objects.filter(incident=incident).first()
    permissions = permissions_for(request.user, action)
    # The hub's own people (who see its log) see each other's names.
    shows_names = "can_view_hub_audit" in permissions
    emergency_url = ""
    if "can_send_emergency_notice" in permissions:
        emergency_url = (
            reverse("actions:manage_emergency", args=[action.public_id])
            + "?"
            + urlencode({"body": emergency_draft(incident)})
        )
    return render(
        request,
        "safety/manage/incident.html",
        {
            "incident": incident,
            "action": action,
            "permissions": permissions,
            "notes": [
                (note, _who(request, note.author, shows_names))
                for note in queries.notes_of(incident)
            ],
            "acknowledged_by": _who(request, incident.acknowledged_by, shows_names),
            "resolved_by": _who(request, incident.resolved_by, shows_names),
            "note_form": note_form or NoteForm(),
            "emergency_url": emergency_url,
            "photo": photo,
            "photo_failure": services.photo_failure(photo) if photo and photo.failure else "",
        },
        status=status,
    )


@organizer_required
def incident(request, incident_id):
    return _incident_page(request, get_incident_for(request.user, incident_id))


@organizer_required
@require_GET
def incident_photo(request, incident_id):
    """The incident's processed photo, for those who handle the incident only: never cached,
    never public."""
    photo = get_incident_photo_for(request.user, incident_id)
    try:
        # A few megabytes at most, read whole: the storage's handle is closed before answering.
        with photo.file.open("rb") as stored:
            body = stored.read()
    except FileNotFoundError:
        raise Http404 from None
    response = HttpResponse(body, content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response


@organizer_required
@require_POST
def add_note(request, incident_id):
    current = get_incident_for(request.user, incident_id)

    def done(_note):
        messages.success(request, _("The note is added."))
        return redirect("safety:incident", current.public_id)

    return fill_in(
        request,
        NoteForm,
        show=lambda form, status: _incident_page(request, current, form, status),
        save=lambda form: services.add_incident_note(
            current, text=form.cleaned_data["text"], actor=request.user
        ),
        done=done,
    )


@organizer_required
@require_POST
def acknowledge(request, incident_id):
    current = get_incident_for(request.user, incident_id)
    press(
        request,
        services.acknowledge_incident,
        current,
        success=_("Acknowledged: the others see that you are on it."),
    )
    return redirect("safety:incident", current.public_id)


@organizer_required
@require_POST
def resolve(request, incident_id):
    current = get_incident_for(request.user, incident_id)
    press(request, services.resolve_incident, current, success=_("The incident is resolved."))
    return redirect("safety:incident", current.public_id)


def _desk_context(request, campaign):
    filters = queries.DeskFilters.from_query(request.GET.dict())
    return {
        "campaign": campaign,
        "desk": queries.desk_for(campaign, filters),
        "states": Incident.State.choices,
        "kinds": Incident.Kind.choices,
        "query": urlencode({k: v for k, v in vars(filters).items() if v}),
    }


@organizer_required
def desk(request, slug):
    campaign = get_desk_for(request.user, slug)
    return render(request, "safety/manage/desk.html", _desk_context(request, campaign))


@organizer_required
def desk_live(request, slug):
    """The desk's changing part alone, asked for again every 15 seconds (static/js/live.js)."""
    campaign = get_desk_for(request.user, slug)
    return render(request, "safety/manage/_desk_live.html", _desk_context(request, campaign))
