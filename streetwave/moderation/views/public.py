"""The public side of moderation: anyone reports an action, without an account."""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from streetwave.core import ratelimit
from streetwave.core.errors import DomainError

from .. import services
from ..access import get_action_to_report
from ..forms import ReportForm


def _report_page(request, action, form, status=200):
    return render(
        request, "moderation/report.html", {"action": action, "form": form}, status=status
    )


def report(request, public_id):
    """Report a public action to its campaign's coordinators. Rate-limited like an RSVP: only a
    report that could be stored counts, so a typo spends nobody's allowance."""
    action = get_action_to_report(public_id)
    if request.method != "POST":
        return _report_page(request, action, ReportForm())
    form = ReportForm(request.POST)
    if not form.is_valid():
        return _report_page(request, action, form, status=400)
    try:
        ratelimit.limit("report", request, limit=settings.REPORT_RATE_LIMIT)
        services.report_action(action, **form.cleaned_data)
    except DomainError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return _report_page(request, action, form, status=error.status_code)
    response = HttpResponseRedirect(reverse("moderation:report_sent", args=[action.public_id]))
    # A 303: reloading the thank-you page sends nothing again.
    response.status_code = 303
    return response


def report_sent(request, public_id):
    """The thank-you page: it promises nothing, and says the same to everyone."""
    action = get_action_to_report(public_id)
    return render(request, "moderation/report_sent.html", {"action": action})
