"""The public tally of a campaign: read from counters and action rows, never from RSVP rows,
and cached so that a watching crowd costs one cache read per request."""

from django.core.cache import cache
from django.db.models import Count, Q

from streetwave.actions.models import Action

from .models import Campaign, CampaignCounter

# A tally up to this many seconds old is fine (see DESIGN, "Performance").
TALLY_MAX_AGE = 15


def compute_tally(campaign: Campaign) -> dict:
    counted = Action.objects.filter(
        campaign=campaign, status__in=[Action.Status.PUBLISHED, Action.Status.COMPLETED]
    )
    places = counted.aggregate(
        actions=Count("id"),
        cities=Count("city", distinct=True),
        countries=Count("city__country", distinct=True),
        hubs=Count("hub", distinct=True),
        completed=Count("id", filter=Q(status=Action.Status.COMPLETED)),
    )
    counters = CampaignCounter.totals(campaign.pk)
    goal = campaign.goal or 0
    return {
        **places,
        "going": counters["going"],
        "waitlisted": counters["waitlisted"],
        "goal": goal,
        "goal_percent": min(100, round(100 * places["actions"] / goal)) if goal else 0,
    }


def tally_key(campaign: Campaign) -> str:
    return f"tally:{campaign.pk}"


def get_tally(campaign: Campaign) -> dict:
    tally = cache.get(tally_key(campaign))
    if tally is None:
        tally = compute_tally(campaign)
        cache.set(tally_key(campaign), tally, TALLY_MAX_AGE)
    return tally
