from itertools import groupby

from django.shortcuts import render

from streetwave.actions.calendars import calendar_response
from streetwave.actions.models import Action
from streetwave.places.search import distance_km, find_cities

from ..access import get_public_campaign
from ..models import Campaign
from ..tally import get_tally


def home(request):
    campaigns = Campaign.objects.live().order_by("starts_at")
    return render(request, "campaigns/home.html", {"campaigns": campaigns})


def _campaign_actions(campaign):
    return (
        Action.objects.public()
        .filter(campaign=campaign)
        .select_related("city", "city__country", "hub")
        .only(
            "public_id",
            "title",
            "starts_at",
            "status",
            "kind",
            "place",
            "latitude",
            "longitude",
            "city__name",
            "city__name_fa",
            "city__timezone",
            "city__latitude",
            "city__longitude",
            "city__country__code",
            "city__country__name",
            "city__country__name_fa",
            "hub__name",
        )
    )


def detail(request, slug):
    campaign = get_public_campaign(slug)
    actions = list(
        _campaign_actions(campaign).order_by("city__country__name", "city__name", "starts_at")
    )
    query = request.GET.get("q", "").strip()[:100]
    near = None
    nearby = []
    if query:
        matches = find_cities(query, limit=1)
        near = matches[0] if matches else None
    if near is not None:
        nearby = sorted(
            (
                (distance_km(near.latitude, near.longitude, a.latitude, a.longitude), a)
                for a in actions
            ),
            key=lambda pair: pair[0],
        )[:20]
    countries = [
        (
            country,
            [
                (city, list(city_actions))
                for city, city_actions in groupby(country_actions, key=lambda a: a.city)
            ],
        )
        for country, country_actions in groupby(actions, key=lambda a: a.city.country)
    ]
    return render(
        request,
        "campaigns/detail.html",
        {
            "campaign": campaign,
            "text": campaign.text(),
            "tally": get_tally(campaign),
            "countries": countries,
            "query": query,
            "near": near,
            "nearby": nearby,
            "not_found": bool(query) and near is None,
        },
    )


def calendar(request, slug):
    campaign = get_public_campaign(slug)
    actions = Action.objects.public().filter(campaign=campaign).select_related("city")
    return calendar_response(actions, name=campaign.title, filename=campaign.slug)
