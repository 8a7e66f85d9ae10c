"""Public pages of report-backs: an action's report, a campaign's report wall, and "I was there"
from a supporter's own link."""

from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from streetwave.actions.access import get_rsvp_for_token
from streetwave.campaigns.access import get_public_campaign
from streetwave.core.text import render_markdown

from .. import queries, services
from ..access import get_public_report_back

WALL_PER_PAGE = 20


def report(request, public_id):
    report_back = get_public_report_back(public_id)
    return render(
        request,
        "reportbacks/report.html",
        {
            "report_back": report_back,
            "action": report_back.action,
            "story": render_markdown(report_back.story),
        },
    )


def wall(request, slug):
    campaign = get_public_campaign(slug)
    page = Paginator(queries.campaign_wall(campaign), WALL_PER_PAGE).get_page(
        request.GET.get("page")
    )
    entries = [(row, render_markdown(row.story)) for row in page]
    return render(
        request, "reportbacks/wall.html", {"campaign": campaign, "page": page, "entries": entries}
    )


@require_POST
def i_was_there(request, token):
    """A supporter says they were there: counted once per RSVP, nothing else stored."""
    rsvp = get_rsvp_for_token(token)
    counted = services.say_i_was_there(rsvp)
    here = reverse("actions:manage", args=[token])
    # 303: reloading the page it lands on sends nothing again.
    response = HttpResponseRedirect(f"{here}?done={'there' if counted else 'saved'}")
    response.status_code = 303
    return response
