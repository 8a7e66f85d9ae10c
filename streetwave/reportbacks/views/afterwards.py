"""The organizer page of a hub inside a high-risk country: "an action that happened", filed with
its report-back after the fact (services/afterwards.py). organizer_required, then the hub's
access helper (404 unless the user may file report-backs there), then one service."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from streetwave.accounts.decorators import organizer_required
from streetwave.actions.models import publication_delay
from streetwave.campaigns.risk import is_high_risk_city
from streetwave.core.views.forms import fill_in
from streetwave.hubs.access import get_hub_for

from ..afterwards_forms import AfterwardsForm
from ..models import ReportBack
from ..services.afterwards import campaigns_to_report, file_action_afterwards


def _delay_hours() -> int:
    return int(publication_delay().total_seconds() // 3600)


@organizer_required
def file(request, hub_id):
    hub = get_hub_for(request.user, hub_id, "can_file_report_back")

    def show(form: AfterwardsForm, status: int):
        return render(
            request,
            "reportbacks/afterwards/file.html",
            {
                "hub": hub,
                "form": form,
                "has_campaigns": bool(campaigns_to_report(hub)),
                "inside": is_high_risk_city(hub.city),
                "delay_hours": _delay_hours(),
            },
            status=status,
        )

    def done(report_back: ReportBack):
        messages.success(
            request,
            _(
                "The action is filed. Nobody else sees it until a second person verifies it, "
                "and the public only later. Add its photos now: every face is covered."
            ),
        )
        return redirect("reportbacks:manage_photos", report_back.public_id)

    return fill_in(
        request,
        lambda data=None: AfterwardsForm(data, hub=hub),
        show=show,
        save=lambda form: file_action_afterwards(hub, form.afterwards(), actor=request.user),
        done=done,
    )
