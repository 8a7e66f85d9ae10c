"""Organizer pages of report-backs, under /<lang>/manage/: an action's report-back (file it, or
correct the verified one) and a held report-back's page, where a second person verifies it or
turns it down. Every view passes organizer_required, then an access helper (404), then at most
one service."""

from dataclasses import asdict

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from streetwave.accounts.decorators import organizer_required
from streetwave.core.text import render_markdown
from streetwave.core.views.buttons import press
from streetwave.core.views.forms import fill_in

from .. import queries, services
from ..access import get_action_to_report_for, get_report_back_for, get_rsvp_to_check_in_for
from ..forms import ReportBackForm
from ..models import ReportBack


def _report_page(request, action, permissions, form, status=200):
    rows = queries.report_backs_of(action)
    held = next((row for row in rows if row.is_held), None)
    current = next((row for row in rows if row.is_current), None)
    return render(
        request,
        "reportbacks/manage/report.html",
        {
            "action": action,
            "permissions": permissions,
            "form": form,
            "held": held,
            "current": current,
            "current_story": render_markdown(current.story) if current else "",
            "in_window": services.is_in_report_window(action),
            "reportable": action.status in services.REPORTABLE,
            # In the action's own time zone, as every other time of these pages.
            "window_closes": timezone.localtime(services.report_window_closes(action), action.zone),
        },
        status=status,
    )


@organizer_required
def report(request, action_id):
    """An action's report-back: what is held, what is verified, and the form to file one (or a
    correction of the verified one) for those who may."""
    action, permissions = get_action_to_report_for(request.user, action_id)
    current = next((row for row in queries.report_backs_of(action) if row.is_current), None)
    if request.method == "POST" and "can_file_report_back" not in permissions:
        raise Http404

    def save(form: ReportBackForm) -> ReportBack:
        fields = asdict(form.report())
        if current is not None:
            return services.correct_report_back(current, **fields, actor=request.user)
        return services.file_report_back(action, **fields, actor=request.user)

    def done(report_back: ReportBack):
        messages.success(
            request,
            _(
                "The report-back is saved. Organizers see it now; everyone else once a second "
                "person verifies it."
            ),
        )
        return redirect("reportbacks:manage", action.public_id)

    return fill_in(
        request,
        lambda data=None: ReportBackForm(data, action=action, current=current),
        show=lambda form, status: _report_page(request, action, permissions, form, status),
        save=save,
        done=done,
    )


@organizer_required
def held(request, report_back_id):
    """One report-back as its second person reads it before deciding."""
    report_back, permissions = get_report_back_for(request.user, report_back_id)
    return render(
        request,
        "reportbacks/manage/held.html",
        {
            "report_back": report_back,
            "action": report_back.action,
            "permissions": permissions,
            "story": render_markdown(report_back.story),
            "is_own": report_back.requested_by_id == request.user.pk,
            "corrected": report_back.corrects,
        },
    )


@organizer_required
@require_POST
def verify(request, report_back_id):
    report_back, _permissions = get_report_back_for(request.user, report_back_id)
    press(
        request,
        services.verify_report_back,
        report_back,
        success=_("The report-back is verified and public."),
    )
    return redirect("reportbacks:manage_verify", report_back.public_id)


@organizer_required
@require_POST
def withdraw(request, report_back_id):
    report_back, _permissions = get_report_back_for(request.user, report_back_id)
    press(
        request,
        services.withdraw_report_back,
        report_back,
        success=_("The report-back is withdrawn. Nobody else will see it."),
    )
    return redirect("reportbacks:manage_verify", report_back.public_id)


@organizer_required
@require_POST
def check_in(request, rsvp_id):
    """An organizer marks an RSVP as attended on the day, by its pseudonym."""
    rsvp = get_rsvp_to_check_in_for(request.user, rsvp_id)
    press(request, services.check_in, rsvp, success=_("Marked as there."))
    return redirect("actions:manage_attendees", rsvp.action.public_id)
