"""Reporting an incident without signing in: anyone at the action from the public form, a
supporter from their manage link. Rate-limited like a report of an action: only an incident
that could be stored counts, so a typo spends nobody's allowance."""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from streetwave.core import ratelimit
from streetwave.core.errors import DomainError

from .. import services
from ..access import get_action_to_report, get_rsvp_to_report
from ..forms import IncidentForm, PublicIncidentForm
from ..models import Incident


def _see_other(url: str) -> HttpResponseRedirect:
    # A 303: reloading the thank-you page sends nothing again.
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def _report(request, action, form_class, *, template, context, report, sent_url):
    """The form's round trip for a visitor: GET shows it, POST counts against the rate limit
    and calls the one service."""
    is_open = services.is_reporting_open(action)
    page = {**context, "action": action, "is_open": is_open}
    if request.method != "POST":
        return render(request, template, {**page, "form": form_class()})
    form = form_class(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, template, {**page, "form": form}, status=400)
    try:
        ratelimit.limit("incident", request, limit=settings.INCIDENT_RATE_LIMIT)
        report(form.report())
    except DomainError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return render(request, template, {**page, "form": form}, status=error.status_code)
    return _see_other(sent_url)


def report(request, public_id):
    """Anyone at a public action reports an incident to its organizers."""
    action = get_action_to_report(public_id)
    return _report(
        request,
        action,
        PublicIncidentForm,
        template="safety/report.html",
        context={},
        report=lambda data: services.report_incident(action, source=Incident.Source.PUBLIC, **data),
        sent_url=reverse("safety:report_sent", args=[action.public_id]),
    )


def report_sent(request, public_id):
    """The thank-you page: the same to everyone."""
    action = get_action_to_report(public_id)
    return render(request, "safety/report_sent.html", {"action": action})


def report_from_rsvp(request, token):
    """A supporter reports from their manage link; the RSVP is kept as the reporter, never
    shown to anyone."""
    rsvp = get_rsvp_to_report(token)
    here = reverse("safety:rsvp_incident", args=[token])
    if request.method != "POST" and request.GET.get("done"):
        return render(
            request,
            "safety/report_sent.html",
            {"action": rsvp.action, "manage_url": reverse("actions:manage", args=[token])},
        )
    return _report(
        request,
        rsvp.action,
        IncidentForm,
        template="safety/report.html",
        context={"manage_url": reverse("actions:manage", args=[token]), "from_rsvp": True},
        report=lambda data: services.report_incident(
            rsvp.action, source=Incident.Source.SUPPORTER, rsvp=rsvp, **data
        ),
        sent_url=f"{here}?done=1",
    )
