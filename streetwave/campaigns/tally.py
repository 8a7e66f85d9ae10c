"""The public tally of a campaign: read from counters and action rows, never from RSVP rows,
and cached so that a watching crowd costs one cache read per request (core.cache: a worker
builds the next copy once a reader finds this one TALLY_REFRESH_AGE seconds old)."""

from django.db.models import Count, Q

from streetwave.actions.models import Action
from streetwave.core.cache import get_cached

from .access import get_public_campaign
from .models import Campaign, CampaignCounter

# With the worker's build, what readers see stays within the 15 s of DESIGN, "Performance".
TALLY_REFRESH_AGE = 10
# What the tally counts: public actions that were not called off. A hub takes part in a
# campaign when it has one of these in it; the hub tree counts hubs by this definition too.
TALLIED_STATUSES = (Action.Status.PUBLISHED, Action.Status.COMPLETED)


def compute_tally(campaign: Campaign) -> dict:
    # Public ones only: a suspended hub's actions are not, those that had taken place neither (a
    # fake hub's streets were never taken).
    counted = Action.objects.public().filter(campaign=campaign, status__in=TALLIED_STATUSES)
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


def tally_key(slug: str) -> str:
    return f"tally:{slug}"


def build_public_tally(slug: str) -> dict:
    return compute_tally(get_public_campaign(slug))


def get_public_tally(slug: str) -> dict:
    """The tally of the public campaign `slug` (404 otherwise): a cache hit costs no query."""
    return get_cached(
        tally_key(slug), "streetwave.campaigns.tally.build_public_tally", [slug], TALLY_REFRESH_AGE
    )
