"""A deterministic, realistic day of action for development, demos and benchmarks.

`build_demo` creates one live campaign, a tree of hubs in diaspora cities, their actions spread
over one day across the time zones, and a realistic crowd of RSVPs; inside a high-risk country,
hubs that reported their actions of the day before after the fact (streetwave.demo.inside).
The same seed and day give the same campaign, hubs, actions and counts.

Why bulk inserts instead of the services: an RSVP through `create_rsvp` is its own transaction
(seat claim, insert, counter shard increment, audit row), about 0.8 ms on SQLite; in bulk a row
costs a tenth of that. The small demo would take half a minute instead of a few seconds, the
large one a quarter of an hour or more. The campaign and the hubs are few, so they still go through
`create_campaign` and `create_hub` (paths, depths, counter shards and audit rows come out
exactly as in production). Actions and RSVPs are inserted with `bulk_create`, and the builder
keeps what the services would guarantee:

- contacts are encrypted by the field on insert, `contact_index` is the blind index of the
  email (or "" without one), every RSVP has the hash of a fresh manage token (the tokens are
  thrown away) and the current consent version;
- statuses follow the order of arrival: the first RSVPs take the seats, later ones wait, a
  cancelled RSVP frees its seat for the next in line, so capacity is never exceeded;
- the action counters and the campaign's counter shards equal a recount of the RSVP rows.

No audit rows are written for the bulk rows: nobody performed those acts. One RSVP is made
through `create_rsvp`, so that a newcomer gets a working manage link to try.
"""

import datetime as dt
import math
import random
from collections import Counter
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from persiantools.digits import en_to_fa

from streetwave.actions.models import RSVP, Action
from streetwave.actions.reminders import next_moment_at
from streetwave.actions.services import CONSENT_VERSION, create_rsvp
from streetwave.campaigns.models import Campaign, CampaignCounter
from streetwave.campaigns.services import create_campaign
from streetwave.core.crypto import blind_index
from streetwave.core.ids import hash_token, new_token
from streetwave.demo.inside import stage_inside
from streetwave.demo.organizers import create_demo_organizers
from streetwave.demo.safety import stage_safety
from streetwave.hubs.models import Hub, Participation
from streetwave.hubs.services import create_hub
from streetwave.places.models import City

from .data import (
    ACTION_STATUSES,
    CITIES,
    DESCRIPTIONS,
    FIRST_HUB_NAMES,
    GENERIC_PLACES,
    KINDS,
    LANDMARKS,
    LANGUAGES,
    LOCAL_LANGUAGE,
    LOCAL_LANGUAGE_OF_CITY,
    MEETING_POINTS,
    MORE_HUB_NAMES,
    PSEUDONYMS,
    TEXTS,
    TITLES,
)

SLUG = "streets-for-freedom"
# Five levels of hubs: founders (depth 0) down to great-great-grandchildren.
MAX_DEPTH = 4
RSVP_BATCH = 5_000
# About half of the supporters leave an email; the others keep their manage link themselves.
EMAIL_SHARE = 0.5
# The main rally of a city this big draws this many times an ordinary action's crowd.
FLAGSHIP_WEIGHT = 7
FLAGSHIP_PULL = 40


@dataclass(frozen=True)
class DemoSize:
    cities: int
    hubs: int
    actions: int
    rsvps: int
    founders: int = 4


SIZES = {
    "small": DemoSize(cities=150, hubs=200, actions=600, rsvps=30_000),
    "large": DemoSize(cities=500, hubs=1_000, actions=10_000, rsvps=1_000_000, founders=8),
}


@dataclass(frozen=True)
class DemoCity:
    city: City
    weight: int
    places: tuple[str, ...]
    language: str


@dataclass
class PlannedAction:
    action: Action
    home: DemoCity
    # How much of the crowd this action draws; 0 for actions that take no RSVPs.
    pull: float
    statuses: list[str]


@dataclass(frozen=True)
class DemoSummary:
    campaign: Campaign
    countries: int
    cities: int
    hubs: int
    max_depth: int
    actions: int
    published: int
    rsvps: dict[str, int]
    manage_path: str | None
    # (email, password, TOTP secret, role) of the demo coordinator and hub leads
    organizers: list[tuple[str, str, str, str]]
    # Actions reported after the fact inside the high-risk country (streetwave.demo.inside).
    inside: int = 0


def campaign_window(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """36 hours from 20:00 UTC the evening before: 11:00 in Auckland (UTC+13) starts after it,
    an evening vigil in Honolulu (UTC-10) ends before it."""
    midnight = dt.datetime.combine(day, dt.time(0), tzinfo=dt.UTC)
    return midnight - dt.timedelta(hours=4), midnight + dt.timedelta(hours=32)


def build_demo(size: DemoSize, *, seed: int, day: dt.date) -> DemoSummary:
    rng = random.Random(seed)
    with transaction.atomic():
        cities = _pick_cities(size.cities)
        starts_at, ends_at = campaign_window(day)
        campaign = create_campaign(
            slug=SLUG,
            texts=TEXTS,
            languages=LANGUAGES,
            starts_at=starts_at,
            ends_at=ends_at,
            # The next round thousand above the plan, so the tally shows progress toward it.
            goal=(size.actions * 3 // 2 // 1000 + 1) * 1000,
            status=Campaign.Status.LIVE,
        )
        hubs = _create_hubs(rng, cities, size)
        planned = _plan_actions(rng, campaign, hubs, size.actions, day)
        _plan_rsvps(rng, planned, size.rsvps)
        Action.objects.bulk_create([plan.action for plan in planned], batch_size=1000)
        # A hub with an action in the campaign answered its call, as create_action has it.
        Participation.objects.bulk_create(
            Participation(hub_id=hub_id, campaign=campaign)
            for hub_id in sorted({plan.action.hub_id for plan in planned})
        )
        _insert_rsvps(rng, planned)
        totals = Counter[str]()
        for plan in planned:
            totals.update(plan.statuses)
        CampaignCounter.objects.filter(campaign=campaign, shard=0).update(
            going=totals[RSVP.Status.GOING],
            waitlisted=totals[RSVP.Status.WAITLISTED],
            cancelled=totals[RSVP.Status.CANCELLED],
        )
        manage_path = _one_manageable_rsvp(planned)
        organizers = create_demo_organizers(campaign, [hub for hub, _item in hubs])
        stage_safety(rng, campaign, [plan.action for plan in planned])
        inside = stage_inside(campaign, day)
    return DemoSummary(
        campaign=campaign,
        countries=len({item.city.country_id for item in cities}),
        cities=len(cities),
        hubs=len(hubs),
        max_depth=max(hub.depth for hub, _item in hubs),
        actions=len(planned),
        published=sum(plan.action.status == Action.Status.PUBLISHED for plan in planned),
        rsvps=CampaignCounter.totals(campaign.pk),
        manage_path=manage_path,
        organizers=organizers,
        inside=inside,
    )


def _pick_cities(count: int) -> list[DemoCity]:
    picked: list[DemoCity] = []
    for country, name, weight, places in CITIES[:count]:
        same_name = City.objects.filter(country__code=country, name=name)
        found = same_name.select_related("country").order_by("-population").first()
        if found is not None:
            language = LOCAL_LANGUAGE_OF_CITY.get(name, LOCAL_LANGUAGE.get(country, "en"))
            picked.append(DemoCity(found, weight, places, language))
    # Bigger profiles add the next largest cities of the same, safe countries.
    countries = sorted({country for country, *_rest in CITIES})
    more = (
        City.objects.filter(country__code__in=countries)
        .exclude(pk__in=[item.city.pk for item in picked])
        .select_related("country")
        .order_by("-population", "geonameid")[: max(0, count - len(picked))]
    )
    for extra in more:
        language = LOCAL_LANGUAGE.get(extra.country.code, "en")
        picked.append(DemoCity(extra, 1, (), language))
    return picked


def _create_hubs(
    rng: random.Random, cities: list[DemoCity], size: DemoSize
) -> list[tuple[Hub, DemoCity]]:
    """One hub per city, then more in the bigger diaspora cities. Founders stand at the root;
    each later hub is vouched for by an active hub, preferably of the same city or country."""
    extra = rng.choices(
        cities, weights=[item.weight for item in cities], k=max(0, size.hubs - len(cities))
    )
    hubs: list[tuple[Hub, DemoCity]] = []
    names = _HubNames(rng)
    for position, item in enumerate([*cities, *extra]):
        first_in_city = position < len(cities)
        name = names.next(item, first_in_city)
        sponsors = [(hub, it) for hub, it in hubs if hub.is_active and hub.depth < MAX_DEPTH]
        if position < size.founders or not sponsors:
            sponsor = None
        elif position < size.founders + MAX_DEPTH:
            # A chain right after the founders, so that even a tiny demo is five levels deep.
            sponsor = hubs[-1][0]
        else:
            sponsor = _choose_sponsor(rng, sponsors, item)
        # A hub that only joined lately may still wait for a coordinator to verify it.
        proposed = not first_in_city and rng.random() < 0.2
        hub = create_hub(
            name=name,
            city=item.city,
            sponsor=sponsor,
            languages=list(dict.fromkeys(["fa", item.language])),
            status=Hub.Status.PROPOSED if proposed else Hub.Status.ACTIVE,
        )
        hubs.append((hub, item))
    return hubs


class _HubNames:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.left: dict[int, list[str]] = {}
        self.rounds = Counter[int]()

    def next(self, item: DemoCity, first_in_city: bool) -> str:
        if first_in_city:
            return self.rng.choice(FIRST_HUB_NAMES).format(city=item.city.name)
        left = self.left.setdefault(item.city.pk, [])
        if not left:
            # A city with more hubs than names numbers the next round: "Berlin Writers' Circle 2".
            self.rounds[item.city.pk] += 1
            rounds = self.rounds[item.city.pk]
            suffix = f" {rounds}" if rounds > 1 else ""
            shuffled = self.rng.sample(MORE_HUB_NAMES, len(MORE_HUB_NAMES))
            left.extend(name + suffix for name in shuffled)
        return left.pop().format(city=item.city.name)


def _choose_sponsor(
    rng: random.Random, sponsors: list[tuple[Hub, DemoCity]], item: DemoCity
) -> Hub:
    same_city = [hub for hub, it in sponsors if it.city.pk == item.city.pk]
    if same_city and rng.random() < 0.8:
        return rng.choice(same_city)
    same_country = [hub for hub, it in sponsors if it.city.country_id == item.city.country_id]
    if same_country and rng.random() < 0.7:
        return rng.choice(same_country)
    return rng.choice(sponsors)[0]


def _plan_actions(
    rng: random.Random,
    campaign: Campaign,
    hubs: list[tuple[Hub, DemoCity]],
    count: int,
    day: dt.date,
) -> list[PlannedAction]:
    """Every active hub gets an action before the bigger cities get more. The first action in
    each of the biggest diaspora cities is its main rally, which draws the big crowds."""
    active = [(hub, item) for hub, item in hubs if hub.is_active]
    owners = active[:count] + rng.choices(
        active, weights=[item.weight for _hub, item in active], k=max(0, count - len(active))
    )
    kinds = list(KINDS)
    planned, titles, flagship_cities = [], set(), set()
    for hub, item in owners:
        flagship = item.weight >= FLAGSHIP_WEIGHT and item.city.pk not in flagship_cities
        if flagship:
            flagship_cities.add(item.city.pk)
            kind = Action.Kind.RALLY
        else:
            kind = rng.choices(kinds, weights=[KINDS[kind][0] for kind in kinds])[0]
        _share, minutes, earliest, latest = KINDS[kind]
        start = dt.time(rng.randint(earliest, latest), rng.choice((0, 0, 30)))
        local_start = dt.datetime.combine(day, start, tzinfo=ZoneInfo(item.city.timezone))
        starts_at = local_start.astimezone(dt.UTC)
        language = "fa" if rng.random() < 0.35 else item.language
        generic = GENERIC_PLACES[item.language]
        place = rng.choice(item.places if item.places and rng.random() < 0.7 else generic)
        city_name = item.city.display_name(language)
        title = f"{TITLES[language][kind]} — {city_name}"
        if title in titles:
            title = f"{title}{'، ' if language == 'fa' else ', '}{place}"
        titles.add(title)
        status = (
            Action.Status.PUBLISHED
            if flagship
            else rng.choices(list(ACTION_STATUSES), weights=list(ACTION_STATUSES.values()))[0]
        )
        published = status == Action.Status.PUBLISHED
        latitude = item.city.latitude
        # About a kilometre around the city centre, whatever the latitude.
        stretch = max(0.2, math.cos(math.radians(latitude)))
        action = Action(
            hub=hub,
            campaign=campaign,
            city=item.city,
            kind=kind,
            status=status,
            title=title[:160],
            description=DESCRIPTIONS[language].format(place=place, city=city_name),
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(minutes=minutes),
            place=place,
            latitude=round(latitude + rng.uniform(-0.01, 0.01), 5),
            longitude=round(item.city.longitude + rng.uniform(-0.01, 0.01) / stretch, 5),
            meeting_point=_meeting_point(rng, language, place) if published else "",
        )
        # Reminders and reveals still to come go out on time in `make run`; moments already
        # past are not caught up (the demo is built for today).
        if published:
            action.next_message_at = next_moment_at(action, timezone.now())
        pull = rng.lognormvariate(0, 0.8) * item.weight**0.7 if published else 0.0
        if flagship:
            pull *= FLAGSHIP_PULL
        planned.append(PlannedAction(action, item, pull, []))
    return planned


def _meeting_point(rng: random.Random, language: str, place: str) -> str:
    if rng.random() >= 0.06:
        return ""
    language = "fa" if language == "fa" else "en"
    minutes = str(rng.choice((3, 5, 8, 10)))
    return MEETING_POINTS[language].format(
        landmark=rng.choice(LANDMARKS[language]),
        place=place,
        minutes=en_to_fa(minutes) if language == "fa" else minutes,
    )


def _plan_rsvps(rng: random.Random, planned: list[PlannedAction], total: int) -> None:
    """Share the crowd out (a few actions draw thousands, most draw tens), give some actions a
    capacity near their demand so a few fill up, then decide each RSVP's status in order of
    arrival, and set the action's counters from those statuses."""
    taking = [plan for plan in planned if plan.pull > 0]
    for plan, demand in zip(taking, apportion(total, [plan.pull for plan in taking]), strict=True):
        action = plan.action
        if rng.random() < 0.08:
            action.capacity = max(20, int(round(demand * rng.uniform(0.6, 1.5), -1)))
        going = 0
        for _arrival in range(demand):
            if rng.random() < 0.06:
                plan.statuses.append(RSVP.Status.CANCELLED)
            elif action.capacity is None or going < action.capacity:
                plan.statuses.append(RSVP.Status.GOING)
                going += 1
            else:
                plan.statuses.append(RSVP.Status.WAITLISTED)
        counts = Counter(plan.statuses)
        action.going_count = counts[RSVP.Status.GOING]
        action.waitlisted_count = counts[RSVP.Status.WAITLISTED]
        action.cancelled_count = counts[RSVP.Status.CANCELLED]


def apportion(total: int, weights: list[float]) -> list[int]:
    """`total` split in proportion to `weights`, in whole numbers that add up exactly."""
    if not weights:
        return []
    scale = total / sum(weights)
    shares = [weight * scale for weight in weights]
    counts = [int(share) for share in shares]
    by_remainder = sorted(range(len(shares)), key=lambda i: counts[i] - shares[i])
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _insert_rsvps(rng: random.Random, planned: list[PlannedAction]) -> None:
    batch: list[RSVP] = []
    number = 0
    for plan in planned:
        for status in plan.statuses:
            number += 1
            email = f"supporter{number}@example.org" if rng.random() < EMAIL_SHARE else ""
            roll = rng.random()
            language = "fa" if roll < 0.55 else "en" if roll < 0.85 else plan.home.language
            batch.append(
                RSVP(
                    action_id=plan.action.pk,
                    pseudonym=rng.choice(PSEUDONYMS) if rng.random() < 0.2 else "",
                    contact=email,
                    contact_index=blind_index(email) if email else "",
                    language=language,
                    consent_version=CONSENT_VERSION,
                    status=status,
                    manage_token_hash=hash_token(new_token()),
                )
            )
            if len(batch) == RSVP_BATCH:
                RSVP.objects.bulk_create(batch)
                batch = []
    RSVP.objects.bulk_create(batch)


def _one_manageable_rsvp(planned: list[PlannedAction]) -> str | None:
    """One RSVP made the real way, whose manage link a newcomer can open: on the next action to
    start (or one still running), so that the link works whenever the demo is loaded."""
    now = timezone.now()
    open_actions = [
        plan.action
        for plan in planned
        if plan.action.status == Action.Status.PUBLISHED
        and plan.action.capacity is None
        and plan.action.ends_at > now
    ]
    if not open_actions:
        return None
    upcoming = [action for action in open_actions if action.starts_at > now]
    action = min(upcoming or open_actions, key=lambda action: action.starts_at)
    receipt = create_rsvp(action, language="en", consent=True)
    with translation.override("en"):
        return reverse("actions:manage", kwargs={"token": receipt.token})
