"""Seeding a day of action through PostgreSQL's COPY: profile S (CI) and profile M (the bench).

Rows come out as the services would leave them, only faster:
- the campaign goes through `create_campaign` (its 16 counter shards, its audit row);
- hubs form a sponsor tree with exact `path` and `depth`; actions have local times in their
  city's time zone on the day after today, so all of them take RSVPs during the run;
- an RSVP has a fresh public id, the hash of a fresh 256-bit manage token (the token is thrown
  away), the current consent version, and for half of them an email encrypted with the field
  keys and its keyed blind index; statuses follow the order of arrival (the first take the
  seats, later ones wait, a cancellation frees its seat for the next in line);
- each RSVP has its `rsvp.created` audit row, and each cancelled one its `rsvp.cancelled`
  row, because the RSVP path appends to that table and must be measured against an audit log
  the size a real day leaves behind;
- the action counters and the campaign's counter shards equal a recount of the rows, which
  `verify_counters` checks.

The RSVPs are generated while PostgreSQL ingests them: psycopg streams each COPY as it is
written, so Python's work (encryption, hashing) and the server's (constraints, indexes) overlap
on the two cores.
"""

import contextlib
import datetime as dt
import json
import random
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Model

from streetwave.actions.models import RSVP, Action
from streetwave.actions.services import CONSENT_VERSION
from streetwave.approvals.models import Approval
from streetwave.audit.models import AuditEntry
from streetwave.campaigns.models import COUNTER_SHARDS, Campaign, CampaignCounter
from streetwave.campaigns.services import create_campaign
from streetwave.core.crypto import blind_index, encrypt
from streetwave.core.ids import hash_token, new_public_id, new_token
from streetwave.demo.world import apportion
from streetwave.hubs.models import Hub
from streetwave.places.models import City
from streetwave.places.services import load_places

SLUG = "bench-day"
# Countries whose cities hold the hubs: enough large cities for profile M, loaded in seconds.
COUNTRIES = (
    "AT",
    "AU",
    "BE",
    "CA",
    "CH",
    "DE",
    "DK",
    "ES",
    "FR",
    "GB",
    "IE",
    "IT",
    "NL",
    "NO",
    "SE",
    "US",
)
LANGUAGES = ("fa", "en", "fr", "de", "nl")
EMAIL_SHARE = 0.5
PSEUDONYM_SHARE = 0.2
CANCEL_SHARE = 0.06
CAPACITY_SHARE = 0.08
MAX_DEPTH = 4


@dataclass(frozen=True)
class Profile:
    name: str
    cities: int
    hubs: int
    actions: int
    rsvps: int


PROFILES = {
    "S": Profile("S", cities=50, hubs=100, actions=1_000, rsvps=20_000),
    "M": Profile("M", cities=500, hubs=1_000, actions=10_000, rsvps=1_000_000),
}


@dataclass(frozen=True)
class SeedHub:
    id: int
    public_id: str
    city: City
    path: str
    depth: int
    sponsor_id: int | None


@dataclass
class PlannedAction:
    id: int
    public_id: str
    hub: SeedHub
    status: str
    capacity: int | None
    # Statuses of its RSVPs in order of arrival.
    statuses: list[str]


@dataclass(frozen=True)
class Seeded:
    campaign: Campaign
    hubs: int
    actions: int
    rsvps: int
    timings: dict[str, float]


def copy_into(model: type[Model], columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """COPY `rows` (values for `columns`, by column name) into the model's table.

    Fields left out get their model default, so a field that another change adds with a
    default does not break the seed; a new required field without one fails here by name."""
    fields = [field for field in model._meta.concrete_fields if field.column not in columns]
    fill = []
    for field in fields:
        if field.primary_key:
            continue
        if field.has_default() and not field.unique:
            default = field.get_db_prep_save(field.get_default(), connection)
            fill.append(
                (field.column, json.dumps(default) if isinstance(default, dict | list) else default)
            )
        elif field.null:
            fill.append((field.column, None))
        else:
            raise ValueError(f"the seed does not know a value for {model.__name__}.{field.name}")
    names = [*columns, *(column for column, _value in fill)]
    extra = tuple(value for _column, value in fill)
    count = 0
    sql = f"COPY {model._meta.db_table} ({', '.join(names)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row((*row, *extra) if extra else row)
            count += 1
    return count


@contextlib.contextmanager
def indexes_rebuilt_after(*models: type[Model]):
    """Drop the tables' secondary indexes and their unique and foreign key constraints, and
    create them again from their own definitions when the block ends.

    Maintaining eight indexes row by row (and queueing a million deferred foreign key checks)
    costs several times the COPY itself; building each index once from sorted data does not.
    Everything happens inside the caller's transaction, so no other session ever sees a table
    without its constraints, and re-adding them checks every row again."""
    constraints: list[tuple[str, str, str]] = []
    indexes: list[str] = []
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for model in models:
            table = model._meta.db_table
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype IN ('u', 'f')",
                [table],
            )
            for name, definition in cursor.fetchall():
                constraints.append((table, name, definition))
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            cursor.execute(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
                "FROM pg_index i WHERE i.indrelid = %s::regclass AND NOT i.indisprimary",
                [table],
            )
            for name, definition in cursor.fetchall():
                indexes.append(definition)
                cursor.execute(f"DROP INDEX {name}")
    yield
    with connection.cursor() as cursor:
        for definition in indexes:
            cursor.execute(definition)
        for table, name, definition in constraints:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


def reserve_ids(model: type[Model], count: int) -> list[int]:
    """`count` ids from the table's own sequence, so that rows can point at each other before
    they are inserted and later inserts by the application never collide."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, count],
        )
        return [row[0] for row in cursor.fetchall()]


def seed(profile: Profile, *, seed: int = 1, day: dt.date | None = None) -> Seeded:
    if connection.vendor != "postgresql":
        raise RuntimeError("the bench seeds PostgreSQL only (COPY)")
    rng = random.Random(seed)
    day = day or (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).date()
    timings = {}
    began = time.perf_counter()
    if not City.objects.filter(country__code__in=COUNTRIES).exists():
        load_places(countries=COUNTRIES)
    timings["places_s"] = time.perf_counter() - began

    began = time.perf_counter()
    cities = list(
        City.objects.filter(country__code__in=COUNTRIES).order_by("-population", "geonameid")[
            : profile.cities
        ]
    )
    midnight = dt.datetime.combine(day, dt.time(0), tzinfo=dt.UTC)
    campaign = create_campaign(
        slug=SLUG,
        texts={"en": {"title": "Bench day", "statement": "A day of action for the benchmark."}},
        languages=["en", "fa"],
        starts_at=midnight - dt.timedelta(hours=14),
        ends_at=midnight + dt.timedelta(hours=38),
        goal=profile.actions * 2,
        status=Campaign.Status.LIVE,
    )
    with transaction.atomic():
        hubs = _copy_hubs(rng, profile, cities)
        planned = _plan_actions(rng, profile, hubs)
        _copy_actions(rng, campaign, planned, day)
    timings["hubs_and_actions_s"] = time.perf_counter() - began

    began = time.perf_counter()
    with transaction.atomic(), indexes_rebuilt_after(RSVP, AuditEntry):
        rsvps = _copy_rsvps(rng, planned, midnight)
        _set_campaign_counters(rng, campaign, planned)
    timings["rsvps_s"] = time.perf_counter() - began

    began = time.perf_counter()
    with connection.cursor() as cursor:
        # A real database would have been analyzed by autovacuum long before the spike.
        for model in (Hub, Action, RSVP, AuditEntry, CampaignCounter):
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    timings["analyze_s"] = time.perf_counter() - began
    return Seeded(campaign, len(hubs), len(planned), rsvps, timings)


def _copy_hubs(rng: random.Random, profile: Profile, cities: list[City]) -> list[SeedHub]:
    """Every city gets a hub, the rest go to the bigger cities; each hub after the first few
    founders is sponsored by an earlier one, at most MAX_DEPTH levels down."""
    ids = reserve_ids(Hub, profile.hubs)
    homes = [*cities, *rng.choices(cities, k=max(0, profile.hubs - len(cities)))][: profile.hubs]
    hubs: list[SeedHub] = []
    sponsors: list[SeedHub] = []
    for number, (hub_id, city) in enumerate(zip(ids, homes, strict=True)):
        public_id = new_public_id()
        sponsor = rng.choice(sponsors) if number >= 8 else None
        hub = SeedHub(
            id=hub_id,
            public_id=public_id,
            city=city,
            path=f"{sponsor.path}/{public_id}" if sponsor else public_id,
            depth=sponsor.depth + 1 if sponsor else 0,
            sponsor_id=sponsor.id if sponsor else None,
        )
        hubs.append(hub)
        if hub.depth < MAX_DEPTH:
            sponsors.append(hub)
    now = dt.datetime.now(dt.UTC)
    languages = json.dumps(["fa", "en"])
    copy_into(
        Hub,
        [
            "id",
            "public_id",
            "created_at",
            "updated_at",
            "name",
            "city_id",
            "languages",
            "sponsor_id",
            "status",
            "path",
            "depth",
            "activated_at",
        ],
        (
            (
                hub.id,
                hub.public_id,
                now,
                now,
                f"{hub.city.name} hub {number}",
                hub.city.pk,
                languages,
                hub.sponsor_id,
                Hub.Status.ACTIVE,
                hub.path,
                hub.depth,
                now,
            )
            for number, hub in enumerate(hubs, start=1)
        ),
    )
    return hubs


def _plan_actions(rng: random.Random, profile: Profile, hubs: list[SeedHub]) -> list[PlannedAction]:
    """Actions spread over the hubs; a few draw thousands, most tens (lognormal pull); some
    have a capacity near their demand, so they fill up and keep a waitlist. Drafts and
    cancelled actions take no RSVPs."""
    planned = []
    pulls = []
    for index, action_id in enumerate(reserve_ids(Action, profile.actions)):
        published = rng.random() < 0.96
        status = (
            Action.Status.PUBLISHED
            if published
            else rng.choice((Action.Status.DRAFT, Action.Status.CANCELLED))
        )
        planned.append(
            PlannedAction(action_id, new_public_id(), hubs[index % len(hubs)], status, None, [])
        )
        pulls.append(rng.lognormvariate(0, 1.0) if published else 0.0)
    for plan, demand in zip(planned, apportion(profile.rsvps, pulls), strict=True):
        if demand and rng.random() < CAPACITY_SHARE:
            plan.capacity = max(20, int(demand * rng.uniform(0.6, 1.5)))
        going = 0
        for _arrival in range(demand):
            if rng.random() < CANCEL_SHARE:
                plan.statuses.append(RSVP.Status.CANCELLED)
            elif plan.capacity is None or going < plan.capacity:
                plan.statuses.append(RSVP.Status.GOING)
                going += 1
            else:
                plan.statuses.append(RSVP.Status.WAITLISTED)
    return planned


def _copy_actions(
    rng: random.Random,
    campaign: Campaign,
    planned: list[PlannedAction],
    day: dt.date,
) -> None:
    now = dt.datetime.now(dt.UTC)

    def rows():
        for number, plan in enumerate(planned, start=1):
            city = plan.hub.city
            local = dt.datetime.combine(
                day,
                dt.time(rng.randint(11, 18), rng.choice((0, 30))),
                tzinfo=ZoneInfo(city.timezone),
            )
            starts_at = local.astimezone(dt.UTC)
            yield (
                plan.id,
                plan.public_id,
                now,
                now,
                plan.hub.id,
                campaign.pk,
                f"Rally {number} in {city.name}",
                "Peaceful, open, together: **bring a sign**.",
                Action.Kind.RALLY,
                starts_at,
                starts_at + dt.timedelta(hours=2),
                city.pk,
                "City Hall Square",
                round(city.latitude + rng.uniform(-0.01, 0.01), 5),
                round(city.longitude + rng.uniform(-0.01, 0.01), 5),
                "",
                plan.capacity,
                plan.status,
                plan.statuses.count(RSVP.Status.GOING),
                plan.statuses.count(RSVP.Status.WAITLISTED),
                plan.statuses.count(RSVP.Status.CANCELLED),
                "",
                Approval.HELD if plan.status == Action.Status.PENDING else Approval.APPROVED,
            )

    copy_into(
        Action,
        [
            "id",
            "public_id",
            "created_at",
            "updated_at",
            "hub_id",
            "campaign_id",
            "title",
            "description",
            "kind",
            "starts_at",
            "ends_at",
            "city_id",
            "place",
            "latitude",
            "longitude",
            "meeting_point",
            "capacity",
            "status",
            "going_count",
            "waitlisted_count",
            "cancelled_count",
            "rejection_reason",
            "approval",
        ],
        rows(),
    )


def _copy_rsvps(rng: random.Random, planned: list[PlannedAction], midnight: dt.datetime) -> int:
    """The RSVP rows, then their audit rows, arriving over the two weeks before the day."""
    total = sum(len(plan.statuses) for plan in planned)
    first = midnight - dt.timedelta(days=14)
    step = dt.timedelta(days=13) / max(1, total)
    statuses_at_creation = {
        RSVP.Status.GOING: RSVP.Status.GOING,
        RSVP.Status.WAITLISTED: RSVP.Status.WAITLISTED,
        # Cancelled ones had taken a seat, which went to the next in line.
        RSVP.Status.CANCELLED: RSVP.Status.GOING,
    }
    created_data = {
        status: json.dumps({"status": status}) for status in set(statuses_at_creation.values())
    }
    cancelled_data = json.dumps({"was": RSVP.Status.GOING})
    # Arrival order across actions: RSVP number n arrives at first + n * step.
    arrivals: list[tuple[PlannedAction, str, dt.datetime]] = []

    def rsvp_rows():
        number = 0
        for plan in planned:
            for status in plan.statuses:
                number += 1
                created_at = first + step * number
                arrivals.append((plan, status, created_at))
                roll = rng.random()
                if roll < EMAIL_SHARE:
                    email = f"supporter{number}@example.org"
                    contact, index = encrypt(email), blind_index(email)
                else:
                    contact = index = ""
                pseudonym = f"Supporter {number}" if rng.random() < PSEUDONYM_SHARE else ""
                yield (
                    new_public_id(),
                    created_at,
                    created_at,
                    plan.id,
                    pseudonym,
                    contact,
                    index,
                    LANGUAGES[number % len(LANGUAGES)],
                    CONSENT_VERSION,
                    status,
                    hash_token(new_token()),
                )

    def audit_rows():
        for plan, status, created_at in arrivals:
            yield (
                "rsvp.created",
                "actions.action",
                plan.public_id,
                plan.hub.public_id,
                created_data[statuses_at_creation[status]],
                created_at,
            )
            if status == RSVP.Status.CANCELLED:
                yield (
                    "rsvp.cancelled",
                    "actions.action",
                    plan.public_id,
                    plan.hub.public_id,
                    cancelled_data,
                    created_at,
                )

    count = copy_into(
        RSVP,
        [
            "public_id",
            "created_at",
            "updated_at",
            "action_id",
            "pseudonym",
            "contact",
            "contact_index",
            "language",
            "consent_version",
            "status",
            "manage_token_hash",
        ],
        rsvp_rows(),
    )
    copy_into(
        AuditEntry,
        ["verb", "target_type", "target_id", "hub_id", "data", "created_at"],
        audit_rows(),
    )
    return count


def _set_campaign_counters(rng: random.Random, campaign: Campaign, planned: list[PlannedAction]):
    """Spread the totals over the shards as the random shard choice of the RSVP path would."""
    shards = [dict.fromkeys(("going", "waitlisted", "cancelled"), 0) for _ in range(COUNTER_SHARDS)]
    for plan in planned:
        for status in plan.statuses:
            shards[rng.randrange(COUNTER_SHARDS)][status] += 1
    for shard, counts in enumerate(shards):
        CampaignCounter.objects.filter(campaign=campaign, shard=shard).update(**counts)


def verify_counters(campaign: Campaign) -> dict[str, int]:
    """Recount RSVP rows against the action counters and the campaign's shards; returns the
    number of actions whose counters differ, and of live duplicates per contact and action."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH recount AS (
                SELECT action_id,
                       count(*) FILTER (WHERE status = 'going') AS going,
                       count(*) FILTER (WHERE status = 'waitlisted') AS waitlisted,
                       count(*) FILTER (WHERE status = 'cancelled') AS cancelled
                FROM actions_rsvp GROUP BY action_id
            )
            SELECT
                count(*) FILTER (
                    WHERE a.going_count <> coalesce(r.going, 0)
                       OR a.waitlisted_count <> coalesce(r.waitlisted, 0)
                       OR a.cancelled_count <> coalesce(r.cancelled, 0)
                ),
                count(*) FILTER (WHERE a.capacity IS NOT NULL AND a.going_count > a.capacity),
                coalesce(sum(r.going), 0)::bigint, coalesce(sum(r.waitlisted), 0)::bigint
            FROM actions_action a LEFT JOIN recount r ON r.action_id = a.id
            WHERE a.campaign_id = %s
            """,
            [campaign.pk],
        )
        mismatched, oversold, going, waitlisted = cursor.fetchone()
        cursor.execute(
            """
            SELECT count(*) FROM (
                SELECT 1 FROM actions_rsvp
                WHERE contact_index <> '' AND status IN ('going', 'waitlisted')
                GROUP BY action_id, contact_index HAVING count(*) > 1
            ) duplicates
            """
        )
        (duplicates,) = cursor.fetchone()
    totals = CampaignCounter.totals(campaign.pk)
    return {
        "actions_with_wrong_counters": mismatched,
        "actions_oversold": oversold,
        "live_duplicates": duplicates,
        "campaign_going_off_by": totals["going"] - going,
        "campaign_waitlisted_off_by": totals["waitlisted"] - waitlisted,
    }
