from collections import defaultdict
from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from streetwave.actions.calendars import calendar_response
from streetwave.actions.models import Action
from streetwave.core import ratelimit
from streetwave.core.collation import sort_key
from streetwave.core.text import render_markdown
from streetwave.core.views.forms import fill_in
from streetwave.places.models import City, Country

from ..access import get_campaign_to_show
from ..forms import FindForm, InsideForm
from ..labels import CITY_LABELS_MAX_AGE, get_city_labels
from ..live import document_for, get_live_document, live_response, preview_document
from ..models import Campaign
from ..queries import (
    attendable_actions,
    countries_of,
    home_campaigns,
    listed_actions,
    search_nearby,
)
from ..services import count_joined_inside
from ..tally import compute_tally, get_public_tally


def _entry(campaign: Campaign, *, now: bool) -> dict:
    return {
        "campaign": campaign,
        "text": campaign.text(),
        "now": now,
        "tally": get_public_tally(campaign.slug),
    }


def home(request):
    """What is happening and when: the open campaigns, the current ones first, then the coming
    ones, each with its window and its streets so far (from the cached tally); then the ended
    ones. Drafts are nobody's business here, and archived campaigns stay at their address."""
    found = home_campaigns(timezone.now())
    campaigns = [
        *(_entry(campaign, now=True) for campaign in found.current),
        *(_entry(campaign, now=False) for campaign in found.coming),
    ]
    ended = [_entry(campaign, now=False) for campaign in found.ended]
    return render(
        request,
        "campaigns/home.html",
        {
            "campaigns": campaigns,
            "ended": ended,
            # The one call to action leads to the campaign under way (or the next one).
            "lead": campaigns[0] if campaigns else None,
        },
    )


def _show(request, template: str, campaign: Campaign, context: dict, status: int = 200):
    """A public page of `campaign`; a draft's is a preview for those who may see it, with its
    banner, and kept by no cache."""
    preview = campaign.status == Campaign.Status.DRAFT
    text = campaign.text()
    edited_at = None
    if campaign.status == Campaign.Status.LIVE and campaign.texts_edited_at is not None:
        # In the campaign's own time zone, the one its window is given in.
        edited_at = timezone.localtime(campaign.texts_edited_at, ZoneInfo(campaign.zone))
    response = render(
        request,
        template,
        {
            "campaign": campaign,
            "text": text,
            "statement_html": mark_safe(render_markdown(text["statement"])),  # noqa: S308 sanitised by nh3
            "preview": preview,
            "edited_at": edited_at,
            **context,
        },
        status=status,
    )
    if preview:
        patch_cache_control(response, private=True, no_store=True)
    return response


def _by_name(places, language: str) -> list:
    """Countries or cities in the alphabetical order of the reader's language, by their names in
    that language."""
    return sorted(places, key=lambda place: sort_key(place.display_name(language), language))


def _countries(campaign: Campaign) -> list[tuple[Country, int]]:
    """[(country, number of actions), ...] of the campaign's public actions, by name."""
    counts = countries_of(campaign)
    return [(country, counts[country]) for country in _by_name(counts, translation.get_language())]


def _by_city(actions: list[Action]) -> list[tuple[City, list[Action]]]:
    """[(city, [action, ...]), ...]: the cities by name, the actions of each in the order they
    were given."""
    by_city: dict = defaultdict(list)
    for action in actions:
        by_city[action.city].append(action)
    return [(city, by_city[city]) for city in _by_name(by_city, translation.get_language())]


def _find(form: FindForm, actions: Callable[[], list[Action]]) -> dict:
    """The search of the campaign page and of its calendar among `actions()`, called only for a
    search; empty without a valid one."""
    if not form.is_valid() or not (form.cleaned_data["q"] or form.cleaned_data["near"]):
        return {}
    return search_nearby(
        actions(), query=form.cleaned_data["q"], position=form.cleaned_data["near"]
    )


def detail(request, slug):
    campaign = get_campaign_to_show(request.user, slug)
    form = FindForm(request.GET)
    find = _find(form, lambda: listed_actions(campaign))
    tally = document_for("tally", campaign)
    return _show(
        request,
        "campaigns/detail.html",
        campaign,
        {
            "tally_html": mark_safe(tally.text),  # noqa: S308 our own template's output
            "tally_etag": tally.etag,
            "countries": _countries(campaign),
            "basemap": settings.MAP_BASEMAP_PMTILES,
            "form": form,
            **find,
        },
        status=400 if form.errors else 200,
    )


def _live(request, kind: str, slug: str):
    """A live document: from the shared cache without a query for a public campaign; for a
    draft, a preview built for this request to those who may see it (404 to anyone else)."""
    try:
        return live_response(request, get_live_document(kind, slug))
    except Http404:
        campaign = get_campaign_to_show(request.user, slug)
        if campaign.status != Campaign.Status.DRAFT:
            raise
        return live_response(request, preview_document(kind, campaign), preview=True)


def tally(request, slug):
    return _live(request, "tally", slug)


def inside(request, slug):
    """Count-only participation: someone inside a high-risk country says they joined the day in
    their city, by choosing it and pressing one button, and the city's counter goes up by one.
    Beside the form, the campaign's figures inside. The answer to the button is the page
    itself, not a redirect: the browser's history keeps no address saying someone pressed, and
    the answer to a POST is never stored (core.middleware.NoStoreMiddleware)."""
    campaign = get_campaign_to_show(request.user, slug)
    # The public tally from the shared cache; a draft's preview is computed for its reader.
    if campaign.status == Campaign.Status.DRAFT:
        tally = compute_tally(campaign)
    else:
        tally = get_public_tally(slug)

    def show(form: InsideForm, status: int, *, joined: bool = False):
        context = {"form": form, "tally": tally, "joined": joined, "open": campaign.is_open()}
        return _show(request, "campaigns/inside.html", campaign, context, status=status)

    def make_form(*args):
        return InsideForm(*args, campaign=campaign)

    return fill_in(
        request,
        make_form,
        show=show,
        save=lambda form: count_joined_inside(
            campaign,
            city=form.cleaned_data["place"],
            client_address=ratelimit.client_address(request),
        ),
        done=lambda _nothing: show(make_form(), 200, joined=True),
    )


def map_page(request, slug):
    campaign = get_campaign_to_show(request.user, slug)
    return _show(
        request,
        "campaigns/map.html",
        campaign,
        {
            "countries": _countries(campaign),
            "basemap": settings.MAP_BASEMAP_PMTILES,
        },
    )


def places(request, slug, country):
    """The campaign's public actions in one country, by city: where its pages' list of
    countries leads."""
    campaign = get_campaign_to_show(request.user, slug)
    found = get_object_or_404(Country, code=country.upper())
    actions = listed_actions(campaign, country=found)
    return _show(
        request, "campaigns/places.html", campaign, {"country": found, "cities": _by_city(actions)}
    )


def map_data(request, slug):
    return _live(request, "map", slug)


def wave(request, slug):
    campaign = get_campaign_to_show(request.user, slug)
    document = document_for("wave", campaign)
    return _show(
        request,
        "campaigns/wave.html",
        campaign,
        {
            "wave_html": mark_safe(document.text),  # noqa: S308 our own template's output
            "wave_etag": document.etag,
        },
    )


def wave_fragment(request, slug):
    return _live(request, "wave", slug)


def calendar(request, slug):
    """The campaign's actions a supporter could still go to (published, not ended): with the
    parameters of a search (`q` or `near`), only the ones it found, which the campaign page
    offers next to its results; without, every one, as a feed for calendar apps. Never the
    cancelled or ended ones, nor the whole campaign's history."""
    campaign = get_campaign_to_show(request.user, slug)
    response = _calendar_of(request, campaign)
    if campaign.status == Campaign.Status.DRAFT:
        response["Cache-Control"] = "private, no-store"
    return response


def _calendar_of(request, campaign: Campaign) -> HttpResponse:
    attendable = attendable_actions(campaign)
    form = FindForm(request.GET)
    if form.errors:
        error = next(iter(form.errors.values()))[0]
        return HttpResponseBadRequest(error, content_type="text/plain; charset=utf-8")
    if not (form.cleaned_data["q"] or form.cleaned_data["near"]):
        return calendar_response(request, attendable, name=campaign.title, filename=campaign.slug)
    find = _find(form, lambda: attendable)
    place = find.get("near") or find.get("position_city")
    name = (
        _("%(campaign)s near %(place)s")
        % {"campaign": campaign.title, "place": place.display_name()}
        if place
        else campaign.title
    )
    return calendar_response(
        request,
        [action for _distance, action in find["nearby"]],
        name=name,
        filename=f"{campaign.slug}-near",
    )


def city_labels(request):
    """The names of the world's larger cities for the map, in the page's language: one compact
    JSON from our own origin, the same for every campaign, cached here and in browsers."""
    response = HttpResponse(
        get_city_labels(translation.get_language()), content_type="application/json"
    )
    patch_cache_control(response, public=True, max_age=CITY_LABELS_MAX_AGE)
    return response
