"""The public tally of a campaign: read from counters and action rows, never from RSVP rows,
and cached so that a watching crowd costs one cache read per request."""

from django.db.models import Count, Q

from streetwave.actions.models import Action
from streetwave.core.cache import get_fresh_enough

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


def tally_key(slug: str) -> str:
    return f"tally:{slug}"


def get_public_tally(slug: str) -> dict:
    """The tally of the public campaign `slug` (404 otherwise): a cache hit costs no query."""
    from .access import get_public_campaign

    return get_fresh_enough(
        tally_key(slug), lambda: compute_tally(get_public_campaign(slug)), TALLY_MAX_AGE
    )
