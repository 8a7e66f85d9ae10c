"""Public pages of report-backs: an action's report, a campaign's report wall, and "I was there"
from a supporter's own link."""

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from streetwave.actions.access import get_rsvp_for_token
from streetwave.campaigns.access import get_public_campaign
from streetwave.core.text import render_markdown

from .. import queries, services
from ..access import get_public_report_back
from ..models import Photo

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
    # Each entry shows its first photo: the shown ones of the page's report-backs in one query.
    photos = Prefetch("photos", queryset=Photo.objects.shown(), to_attr="shown_photos")
    page = Paginator(
        queries.campaign_wall(campaign).prefetch_related(photos), WALL_PER_PAGE
    ).get_page(request.GET.get("page"))
    entries = [(row, render_markdown(row.story)) for row in page]
    return render(
        request, "reportbacks/wall.html", {"campaign": campaign, "page": page, "entries": entries}
    )


def i_was_there(request, token):
    """A supporter says they were there (POST): counted once per RSVP, nothing else stored. A
    GET, like any secret link's, answers only for a link that exists: back to its page."""
    rsvp = get_rsvp_for_token(token)
    here = reverse("actions:manage", args=[token])
    if request.method != "POST":
        return _see_other(here)
    counted = services.say_i_was_there(rsvp)
    return _see_other(f"{here}?done={'there' if counted else 'saved'}")


def _see_other(url: str) -> HttpResponseRedirect:
    # 303: the browser asks for `url` with GET, so reloading it sends nothing again.
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response
