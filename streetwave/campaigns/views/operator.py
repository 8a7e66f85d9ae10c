"""The operator's console, /<lang>/manage/instance/: every campaign of the instance with its
state, window and counts, the way to create one and to reach its settings and coordinators,
and the instance's health (database, cache, broker, the outbox's backlog, the scheduled tasks).
Behind the organizer gate, for whoever runs the instance (`can_run_instance`); 404 for anyone
else."""

from django.shortcuts import render

from streetwave.accounts.decorators import organizer_required
from streetwave.core.beat import last_runs
from streetwave.core.health import run_checks
from streetwave.outbox.queries import outbox_backlog

from ..access import get_instance_campaigns_for, require_operator
from ..queries import console_campaigns
from .manage import high_risk_page


@organizer_required
def instance(request):
    campaigns = get_instance_campaigns_for(request.user)
    return render(
        request,
        "campaigns/operator/instance.html",
        {
            "campaigns": console_campaigns(campaigns),
            "checks": run_checks(),
            "backlog": outbox_backlog(),
            "scheduled": last_runs(),
        },
    )


@organizer_required
def high_risk(request):
    """The instance's high-risk countries."""
    require_operator(request.user)
    return high_risk_page(request, None)
