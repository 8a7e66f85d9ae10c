"""The lists of a campaign that pages and the API show: its public actions, as model rows for
the pages and as plain rows for the map and the wave, and the actions near a place or a
position. One object for a user, or 404, is `access.py`'s."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.http import urlencode

from streetwave.actions.models import Action, phase_between
from streetwave.approvals.models import Approval
from streetwave.places.models import City, Country
from streetwave.places.search import distance_km, find_cities, nearest_city

from .models import Campaign

# Two decimals of a degree: about a kilometre, enough to sort actions by distance and too coarse
# to point at a home. The page's script rounds the same way before the position leaves the
# browser; the server rounds again whatever it is sent, and writes it back the same way.
POSITION_DECIMALS = 2
# The nearest actions listed for a city or a position.
NEARBY_LIMIT = 20
# A position this close to an action is named after the action's city.
NEAR_ACTION_KM = 25
# The nearest ended actions, listed apart from what one can still go to.
NEARBY_ENDED_LIMIT = 5


def get_public_actions(campaign: Campaign) -> QuerySet[Action]:
    """The campaign's actions anyone may see, with only the columns the public lists show: one
    query, never a join to RSVPs."""
    actions: QuerySet[Action] = (
        Action.objects.public()
        .filter(campaign=campaign)
        .select_related("city", "city__country")
        .only(
            "public_id",
            "title",
            "starts_at",
            "ends_at",
            "status",
            "latitude",
            "longitude",
            "after_the_fact",
            "city__name",
            "city__name_fa",
            "city__timezone",
            "city__latitude",
            "city__longitude",
            "city__country__code",
            "city__country__name",
            "city__country__name_fa",
        )
    )
    return actions


def listed_actions(campaign: Campaign, country: Country | None = None) -> list[Action]:
    """The campaign's public actions (in `country` only, when given) by country, city and
    start."""
    actions = get_public_actions(campaign)
    if country is not None:
        actions = actions.filter(city__country=country)
    return list(actions.order_by("city__country__name", "city__name", "starts_at"))


def countries_of(campaign: Campaign) -> dict[Country, int]:
    """The countries of the campaign's public actions, each with its number of them: the
    campaign's pages list these, and each country's own page its actions. A list of every action
    would outgrow a phone once a campaign counts thousands, and cost the server a page of
    thousands of rows each time a copy of it is rebuilt."""
    counts = dict(
        get_public_actions(campaign)
        .order_by()
        .values_list("city__country")
        .annotate(actions=Count("pk"))
    )
    return {country: counts[country.pk] for country in Country.objects.filter(pk__in=counts)}


def attendable_actions(campaign: Campaign) -> list[Action]:
    """The campaign's actions a supporter could still go to: published, not ended."""
    return list(
        Action.objects.public()
        .published()
        .in_phases([Action.Phase.UPCOMING, Action.Phase.NOW], timezone.now())
        .filter(campaign=campaign)
        .select_related("city", "city__country")
    )


@dataclass(frozen=True, slots=True)
class PublicAction:
    """What the map and the wave show of a public action: a plain row with its city, which the
    campaign's actions in that city share."""

    pk: int
    public_id: str
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: str
    latitude: float
    longitude: float
    city: City
    # From the current verified report-back, when one says the action took place.
    turnout: int | None = None
    turnout_is_estimate: bool = False
    # Filed after it happened inside a high-risk country: its day is shown, never an hour.
    after_the_fact: bool = False

    @property
    def city_id(self) -> int:
        return self.city.pk

    @property
    def local_start(self) -> dt.datetime:
        return self.starts_at.astimezone(self.city.zone)

    @property
    def local_end(self) -> dt.datetime:
        return self.ends_at.astimezone(self.city.zone)

    def phase_at(self, now: dt.datetime) -> Action.Phase:
        return phase_between(self.starts_at, self.ends_at, now)


def public_action_rows(campaign: Campaign) -> list[PublicAction]:
    """The campaign's public actions by start, as plain rows and one query for their cities: a
    map or a wave of 10,000 actions builds in a fraction of the time model instances take."""
    # The current verified report-back's turnout, read through the reverse relation by name
    # (report-backs sit above campaigns), as a subquery of the same query.
    reported = Action.objects.filter(
        pk=OuterRef("pk"),
        report_backs__approval=Approval.APPROVED,
        report_backs__superseded_at__isnull=True,
        report_backs__took_place=True,
    )
    rows = (
        Action.objects.public()
        .filter(campaign=campaign)
        .annotate(
            turnout=Subquery(reported.values("report_backs__turnout")[:1]),
            estimate=Subquery(reported.values("report_backs__turnout_is_estimate")[:1]),
        )
        .order_by("starts_at", "pk")
        .values_list(
            "pk", "public_id", "title", "starts_at", "ends_at", "status", "latitude", "longitude",
            "city_id", "turnout", "estimate", "after_the_fact",
        )
    )  # fmt: skip
    cities = City.objects.filter(pk__in=rows.values("city_id")).in_bulk()
    return [
        PublicAction(
            pk, public_id, title, starts, ends, status, lat, lon, cities[city_id], turnout,
            bool(estimate), after_the_fact,
        )
        for (
            pk, public_id, title, starts, ends, status, lat, lon, city_id, turnout, estimate,
            after_the_fact,
        ) in rows
    ]  # fmt: skip


def nearest_actions(
    actions: list[Action], latitude: float, longitude: float, now: dt.datetime
) -> tuple[list[tuple[float, Action]], list[tuple[float, Action]]]:
    """(distance, action) pairs, nearest first, in two lists: what one can still go to
    (upcoming or happening now), and apart, the nearest few that have ended. An action that
    ended an hour ago next door must not push the one tonight across town off the list."""
    by_distance = sorted(
        (
            (distance_km(latitude, longitude, action.latitude, action.longitude), action)
            for action in actions
        ),
        key=lambda pair: (pair[0], pair[1].starts_at),
    )
    ended = [pair for pair in by_distance if pair[1].phase_at(now) == Action.Phase.ENDED]
    ahead = [pair for pair in by_distance if pair[1].phase_at(now) != Action.Phase.ENDED]
    return ahead[:NEARBY_LIMIT], ended[:NEARBY_ENDED_LIMIT]


def _place_of(position: tuple[float, float], nearby: list[tuple[float, Action]]) -> City | None:
    """The city to name a position by: the nearest action's city when it is close (the
    gazetteer's nearest entry may be a district, "Mitte" rather than Berlin), else the
    gazetteer's nearest city."""
    closest = min(nearby, key=lambda pair: pair[0], default=None)
    if closest is not None and closest[0] <= NEAR_ACTION_KM:
        return closest[1].city
    return nearest_city(*position)


def search_nearby(
    actions: list[Action], *, query: str, position: tuple[float, float] | None
) -> dict[str, Any]:
    """What the search near a city (`query`) or a position found among `actions`, for the
    campaign page and for the calendar of its results; empty without either."""
    now = timezone.now()
    if position is not None:
        nearby, nearby_ended = nearest_actions(actions, position[0], position[1], now)
        return {
            "position": position,
            "position_city": _place_of(position, nearby + nearby_ended),
            "nearby": nearby,
            "nearby_ended": nearby_ended,
            "find_query": urlencode(
                {"near": ",".join(f"{part:.{POSITION_DECIMALS}f}" for part in position)}
            ),
        }
    if query:
        matches = find_cities(query, limit=1)
        near = matches[0] if matches else None
        nearby, nearby_ended = (
            nearest_actions(actions, near.latitude, near.longitude, now) if near else ([], [])
        )
        return {
            "query": query,
            "near": near,
            "nearby": nearby,
            "nearby_ended": nearby_ended,
            "not_found": near is None,
            "find_query": urlencode({"q": query}),
        }
    return {}


# Ended campaigns the home page lists below the open ones, most recent first; older and
# archived ones stay at their address.
HOME_ENDED_LIMIT = 10


@dataclass(frozen=True)
class HomeCampaigns:
    current: list[Campaign]  # open, window begun
    coming: list[Campaign]  # open, window not begun
    ended: list[Campaign]


def home_campaigns(now: dt.datetime | None = None) -> HomeCampaigns:
    """The campaigns of the home page: two queries whatever their number."""
    now = now or timezone.now()
    # An open campaign whose window has closed waits for its coordinators to end it: it is
    # neither current nor coming.
    live = list(Campaign.objects.live().filter(ends_at__gt=now).order_by("starts_at", "pk"))
    ended = list(
        Campaign.objects.filter(status=Campaign.Status.ENDED).order_by("-ends_at", "-pk")[
            :HOME_ENDED_LIMIT
        ]
    )
    return HomeCampaigns(
        current=[campaign for campaign in live if campaign.starts_at <= now],
        coming=[campaign for campaign in live if campaign.starts_at > now],
        ended=ended,
    )


# Actions whose time is planned: waiting for a coordinator's approval or public. A draft is a
# hub's own sketch and follows the window when it is submitted (actions.schedule checks it).
PLANNED = (Action.Status.PENDING, Action.Status.PUBLISHED)


def planned_actions_outside(
    campaign: Campaign, starts_at: dt.datetime, ends_at: dt.datetime
) -> list[Action]:
    """The campaign's planned actions that a window from `starts_at` to `ends_at` would leave
    out, by start, with their hub and city for the list that explains a refusal."""
    return list(
        Action.objects.filter(campaign=campaign, status__in=PLANNED)
        .exclude(starts_at__gte=starts_at, ends_at__lte=ends_at)
        .select_related("hub", "city")
        .order_by("starts_at", "pk")
    )


def console_campaigns(campaigns: QuerySet[Campaign]) -> list[Campaign]:
    """The campaigns of the operator's console, the latest window first, each with
    `hubs_count` (hubs that answered its call and take part), `public_count` (its public
    actions) and `pending_count` (actions waiting for approval): one query, whatever their
    number."""
    # Hubs sit above campaigns: their answers to a call are named, not imported.
    participation: Any = apps.get_model("hubs", "Participation")
    answered = (
        participation.objects.accepted()
        .filter(campaign=OuterRef("pk"))
        .order_by()
        .values("campaign")
        .annotate(hubs=Count("pk"))
        .values("hubs")
    )
    public = Q(actions__status__in=Action.PUBLIC_STATUSES)
    return list(
        campaigns.annotate(
            hubs_count=Coalesce(Subquery(answered), 0),
            public_count=Count("actions", filter=public),
            pending_count=Count("actions", filter=Q(actions__status=Action.Status.PENDING)),
        ).order_by("-starts_at", "pk")
    )


def high_risk_countries(campaign: Campaign | None) -> list[Country]:
    """The countries an operator marked high-risk (`campaign` None), or those `campaign` adds."""
    if campaign is None:
        return list(Country.objects.filter(high_risk=True))
    return list(campaign.high_risk_countries.all())
