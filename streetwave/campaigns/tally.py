"""The public tally of a campaign: read from counters and action rows, never from RSVP rows,
and cached so that a watching crowd costs one cache read per request (core.cache: a worker
builds the next copy once a reader finds this one TALLY_REFRESH_AGE seconds old).

Actions in high-risk countries (campaigns.risk) are counted apart, as "inside": the streets
taken there and their cities, and the people who said they joined there (InsideCount), shown
rounded like any public count of people. The other figures (actions, cities, countries, hubs,
people going, turnout, the table by country) are those abroad; the headline's streets taken are
both."""

import datetime as dt

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from streetwave.actions.models import PUBLIC_COUNT_THRESHOLD, Action, round_public_count
from streetwave.approvals.models import Approval
from streetwave.core.cache import get_cached
from streetwave.places.models import Country

from .access import get_public_campaign
from .models import Campaign, CampaignCounter, InsideCount
from .risk import high_risk_action_q, high_risk_country_q

# With the worker's build, what readers see stays within the 15 s of DESIGN, "Performance".
TALLY_REFRESH_AGE = 10
# What the tally counts: public actions that were not called off (planned, then reported as
# having taken place or not). A hub takes part in a campaign when it has one of these in it; the
# hub tree counts hubs by this definition too.
TALLIED_STATUSES = (Action.Status.PUBLISHED, Action.Status.COMPLETED, Action.Status.NOT_HELD)
# A street is taken when a second person verified a report-back saying the action took place:
# the verification, and nothing else, makes an action completed (reportbacks.services).
TAKEN = Q(status=Action.Status.COMPLETED)
# The turnout of the current verified report-back of each action (the reverse relation by name:
# report-backs sit above campaigns).
VERIFIED_REPORT = Q(
    report_backs__approval=Approval.APPROVED,
    report_backs__superseded_at__isnull=True,
    report_backs__took_place=True,
)


def compute_tally(campaign: Campaign, now: dt.datetime | None = None) -> dict:
    now = now or timezone.now()
    # Public ones only: a suspended hub's actions are not, those that had taken place neither (a
    # fake hub's streets were never taken).
    tallied = Action.objects.public(now).filter(campaign=campaign, status__in=TALLIED_STATUSES)
    counted = tallied.exclude(high_risk_action_q())
    places = counted.aggregate(
        actions=Count("id"),
        cities=Count("city", distinct=True),
        countries=Count("city__country", distinct=True),
        hubs=Count("hub", distinct=True),
        completed=Count("id", filter=TAKEN),
    )
    turnout = counted.filter(VERIFIED_REPORT).aggregate(turnout=Sum("report_backs__turnout"))
    per_country = [
        {
            "code": row["city__country__code"],
            "name": row["city__country__name"],
            "name_fa": row["city__country__name_fa"],
            "actions": row["actions"],
            "streets_taken": row["streets_taken"],
            "cities": row["cities"],
        }
        for row in counted.values(
            "city__country__code", "city__country__name", "city__country__name_fa"
        )
        .annotate(
            actions=Count("id"),
            streets_taken=Count("id", filter=TAKEN),
            cities=Count("city", distinct=True),
        )
        .order_by("-streets_taken", "-actions", "city__country__name")
    ]
    counters = CampaignCounter.totals(campaign.pk)
    goal = campaign.goal or 0
    # Before the campaign's window opens the bar shows the streets planned; from then on, only
    # the streets taken count towards the goal.
    goal_counts = "streets_taken" if now >= campaign.starts_at else "actions"
    inside = _inside(campaign, tallied.filter(high_risk_action_q(), TAKEN))
    streets_taken = places["completed"] + inside["streets_taken_inside"]
    toward_goal = streets_taken if goal_counts == "streets_taken" else places["actions"]
    return {
        **places,
        **inside,
        "streets_taken": streets_taken,
        "turnout": turnout["turnout"] or 0,
        "going": counters["going"],
        "waitlisted": counters["waitlisted"],
        "goal": goal,
        "goal_counts": goal_counts,
        "goal_percent": min(100, round(100 * toward_goal / goal)) if goal else 0,
        "per_country": per_country,
    }


def _inside(campaign: Campaign, taken: QuerySet[Action]) -> dict:
    """The campaign's figures inside high-risk countries: streets taken (`taken`, the public
    actions there a second person verified) and their cities, and the people who joined, in all
    and per city, rounded (None under the threshold). A city is counted among the cities inside
    for its streets only: one press of the count-only button must not add a city to a figure."""
    cities: dict[int, dict] = {}
    for street in taken.values("city", "city__name", "city__name_fa").annotate(n=Count("id")):
        cities[street["city"]] = {
            "name": street["city__name"],
            "name_fa": street["city__name_fa"],
            "streets_taken": street["n"],
            "joined": None,
        }
    joined = 0
    for row in InsideCount.objects.filter(campaign=campaign).values(
        "city", "city__name", "city__name_fa", "count"
    ):
        joined += row["count"]
        city = cities.setdefault(
            row["city"],
            {"name": row["city__name"], "name_fa": row["city__name_fa"], "streets_taken": 0},
        )
        city["joined"] = round_public_count(row["count"])
    return {
        "inside": Country.objects.filter(high_risk_country_q(campaign)).exists(),
        "streets_taken_inside": sum(city["streets_taken"] for city in cities.values()),
        "cities_inside": sum(1 for city in cities.values() if city["streets_taken"]),
        "joined_inside": round_public_count(joined),
        # Under it, a count of people is not shown (round_public_count).
        "count_threshold": PUBLIC_COUNT_THRESHOLD,
        # Only the cities with a figure the public may see, the most streets first.
        "per_city_inside": sorted(
            (city for city in cities.values() if city["streets_taken"] or city["joined"]),
            key=lambda city: (-city["streets_taken"], -(city["joined"] or 0), city["name"]),
        ),
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
