"""The scenarios of a bench run, in the order `bench.run` calls them.

Each returns a plain dict for the results file. Load steps run in their own event loop
(`asyncio.run`) and database checks run between them, because Django's ORM must not be called
from inside a running loop.
"""

import asyncio
import itertools
import json
import random
import re
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import redis

from streetwave.actions.models import RSVP, Action
from streetwave.campaigns.map import render_map
from streetwave.campaigns.models import Campaign
from streetwave.core.crypto import blind_index

from . import loadgen
from .loadgen import LoadResult, Request, Response, Search
from .seed import verify_counters

HOST = "127.0.0.1"
# The goals' latency limits (issue 7): writes at p99 <= 100 ms, public reads at p99 <= 50 ms.
WRITE_LIMIT_MS = 100.0
READ_LIMIT_MS = 50.0
CONCURRENCY = 16
STEP_SECONDS = 6.0
# A read step spans a whole lifetime of the cached documents (LIVE_MAX_AGE, 15 s), so every
# step includes the rebuilds that a watching crowd runs into; fewer steps keep the run short.
READ_STEP_SECONDS = 16.0
READ_MAX_STEPS = 6
LANGUAGES = ("fa", "en", "fr", "de", "nl")
# Share of the uniform RSVP ceiling sent in the background while the public reads are measured.
BACKGROUND_RSVP_SHARE = 0.2


@dataclass
class Site:
    """What the scenarios need to know about the running servers and the seeded campaign."""

    streetwave_port: int
    control_port: int
    campaign: Campaign
    run_id: str
    rng: random.Random = field(default_factory=lambda: random.Random(7))
    numbers: itertools.count = field(default_factory=itertools.count)
    # Answers of every RSVP request, to compare with the rows and the broker queue at the end.
    rsvp_answers: Counter = field(default_factory=Counter)

    def open_actions(self, *, with_capacity: bool | None = None) -> list[str]:
        actions = Action.objects.filter(campaign=self.campaign, status=Action.Status.PUBLISHED)
        if with_capacity is not None:
            actions = actions.filter(capacity__isnull=not with_capacity)
        return list(actions.order_by("pk").values_list("public_id", flat=True))

    def email(self) -> str:
        return f"bench-{self.run_id}-{next(self.numbers)}@example.org"

    def rsvp(self, action_id: str, *, email: str | None = None) -> Request:
        payload: dict = {"language": self.rng.choice(LANGUAGES), "consent": True}
        if email is None and self.rng.random() < 0.5:
            email = self.email()
        if email:
            payload["email"] = email
        return Request.json("POST", f"/api/v1/actions/{action_id}/rsvps", payload)

    def count_rsvp_answer(self, _index: int, response: Response) -> None:
        emailed = response.status == 201 and json.loads(response.body).get("emailed") is True
        self.rsvp_answers[(str(response.status), emailed)] += 1


def last_rsvp_id() -> int:
    return RSVP.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def rows_since(rsvp_id: int) -> int:
    return RSVP.objects.filter(pk__gt=rsvp_id).count()


def ok_total(search: Search) -> int:
    return sum(step.result.ok_count for step in search.steps)


def rows_against_answers(search: Search, rows: int) -> dict:
    """Rows created against answers. A request that got no 2xx (an overloaded step's timeout,
    or one cut off when the step ended) may still have been served, so only rows beyond the 2xx
    answers plus those requests are duplicates; fewer rows than 2xx answers are lost RSVPs."""
    ok = ok_total(search)
    without_2xx = sum(step.result.sent - step.result.ok_count for step in search.steps)
    return {
        "rows_created": rows,
        "answers_2xx": ok,
        "requests_without_2xx": without_2xx,
        "lost": max(0, ok - rows),
        "duplicated": max(0, rows - ok - without_2xx),
    }


def step_search(
    port: int,
    make_request: Callable[[int], Request],
    *,
    start: float,
    limit_ms: float,
    on_response: Callable[[int, Response], None] | None = None,
    background: Callable[[float], "asyncio.Future"] | None = None,
    seconds: float = STEP_SECONDS,
    max_steps: int = 12,
) -> Search:
    async def step(rate: float) -> LoadResult:
        measured = loadgen.run(
            HOST,
            port,
            rate=rate,
            duration=seconds,
            make_request=make_request,
            concurrency=CONCURRENCY,
            on_response=on_response,
        )
        if background is None:
            return await measured
        result, _background = await asyncio.gather(measured, background(seconds))
        return result

    return asyncio.run(
        loadgen.search_rate(step, start=start, limit_ms=limit_ms, max_steps=max_steps)
    )


# --- ceilings -----------------------------------------------------------------------------


def pgbench_insert(database: str, seconds: int = 10) -> dict:
    """Raw single-row INSERTs, each its own transaction, from CONCURRENCY clients: what
    PostgreSQL on this machine commits per second with no Python at all."""
    script = "INSERT INTO control_row (payload, created_at) VALUES ('pgbench', now());\n"
    with tempfile.NamedTemporaryFile("w", suffix=".sql") as file:
        file.write(script)
        file.flush()
        options = f"-n -h {HOST} -U postgres -c {CONCURRENCY} -j 2 -T {seconds} -f {file.name}"
        output = subprocess.run(  # noqa: S603 a fixed command line
            [shutil.which("pgbench") or "/usr/bin/pgbench", *options.split(), database],
            capture_output=True,
            text=True,
            check=True,
            timeout=seconds + 30,
        ).stdout
    tps = float(re.search(r"tps = ([\d.]+) \(without initial connection time\)", output)[1])
    latency = float(re.search(r"latency average = ([\d.]+) ms", output)[1])
    return {"tps": round(tps, 1), "latency_avg_ms": latency, "clients": CONCURRENCY}


def control_insert(site: Site, start: float) -> Search:
    payload = {"payload": "one row"}
    return step_search(
        site.control_port,
        lambda _i: Request.json("POST", "/insert", payload),
        start=start,
        limit_ms=WRITE_LIMIT_MS,
    )


def control_nodb(site: Site, start: float, limit_ms: float = READ_LIMIT_MS) -> Search:
    return step_search(
        site.control_port, lambda _i: Request("GET", "/nodb"), start=start, limit_ms=limit_ms
    )


# --- Streetwave -----------------------------------------------------------------------------


def rsvp_uniform(site: Site, start: float) -> dict:
    """RSVPs spread evenly over every open action, half of them with an email."""
    actions = site.open_actions()
    before = last_rsvp_id()
    search = step_search(
        site.streetwave_port,
        lambda _i: site.rsvp(site.rng.choice(actions)),
        start=start,
        limit_ms=WRITE_LIMIT_MS,
        on_response=site.count_rsvp_answer,
    )
    return {"search": search, **rows_against_answers(search, rows_since(before))}


def hot_action(site: Site, start: float) -> dict:
    """Most RSVPs go to one action, a fifth to five actions that fill up during the run (their
    capacity set just above their going count), the rest anywhere."""
    hot, *near_full = site.open_actions(with_capacity=False)[:6]
    for public_id in near_full:
        Action.objects.filter(public_id=public_id).update(capacity=going_count(public_id) + 10)
    actions = site.open_actions()

    def request(_index: int) -> Request:
        roll = site.rng.random()
        if roll < 0.7:
            return site.rsvp(hot)
        if roll < 0.9:
            return site.rsvp(site.rng.choice(near_full))
        return site.rsvp(site.rng.choice(actions))

    before = last_rsvp_id()
    search = step_search(
        site.streetwave_port,
        request,
        start=start,
        limit_ms=WRITE_LIMIT_MS,
        on_response=site.count_rsvp_answer,
    )
    rows = rows_since(before)
    filled = Action.objects.filter(public_id__in=near_full)
    return {
        "search": search,
        **rows_against_answers(search, rows),
        "actions_at_capacity": sum(
            action.going_count >= action.capacity
            for action in filled.only("going_count", "capacity")
        ),
        "waitlisted_on_full_actions": sum(filled.values_list("waitlisted_count", flat=True)),
        "counters": verify_counters(site.campaign),
    }


def going_count(public_id: str) -> int:
    return Action.objects.values_list("going_count", flat=True).get(public_id=public_id)


def duplicate_clicks(site: Site, rate: float, emails: int = 150) -> dict:
    """Each of `emails` people clicks three times within a second (the second and third clicks
    0.4 s apart in a block of 40 people at `rate`): one RSVP each, and the same answer to all."""
    actions = site.open_actions(with_capacity=False)
    people = [(site.email(), site.rng.choice(actions)) for _ in range(emails)]
    block = 40
    order = [
        people[start + offset]
        for start in range(0, emails, block)
        for _click in range(3)
        for offset in range(min(block, emails - start))
    ]
    bodies: Counter = Counter()

    def on_response(index: int, response: Response) -> None:
        site.count_rsvp_answer(index, response)
        bodies[(response.status, response.body)] += 1

    before = last_rsvp_id()
    result = asyncio.run(
        loadgen.run(
            HOST,
            site.streetwave_port,
            rate=rate,
            duration=len(order) / rate,
            make_request=lambda i: site.rsvp(order[i][1], email=order[i][0]),
            concurrency=CONCURRENCY,
            on_response=on_response,
        )
    )
    per_person = Counter(RSVP.objects.filter(pk__gt=before).values_list("contact_index", flat=True))
    expected = {blind_index(email) for email, _action in people}
    return {
        "people": emails,
        "requests": result.sent,
        "load": result.summary(),
        "rows_created": sum(per_person.values()),
        "people_with_one_rsvp": sum(per_person[index] == 1 for index in expected),
        "distinct_answers": len(bodies),
    }


def reads(site: Site, kind: str, start: float, background_rate: float) -> dict:
    """Public reads of a watching crowd while RSVPs keep arriving in the background: the tally
    of the API, the tally fragment the campaign page polls, or the map document."""
    slug = site.campaign.slug

    def make(index: int) -> Request:
        # Every language has its own page documents, as readers do.
        language = LANGUAGES[index % len(LANGUAGES)]
        if kind == "tally":
            return Request("GET", f"/api/v1/campaigns/{slug}/tally")
        if kind == "tally_fragment":
            return Request("GET", f"/{language}/c/{slug}/tally/")
        return Request("GET", f"/{language}/c/{slug}/map.json")

    actions = site.open_actions()

    def background(duration: float):
        return loadgen.run(
            HOST,
            site.streetwave_port,
            rate=background_rate,
            duration=duration,
            make_request=lambda _i: site.rsvp(site.rng.choice(actions)),
            concurrency=CONCURRENCY,
            on_response=site.count_rsvp_answer,
        )

    search = step_search(
        site.streetwave_port,
        make,
        start=start,
        limit_ms=READ_LIMIT_MS,
        background=background,
        seconds=READ_STEP_SECONDS,
        max_steps=READ_MAX_STEPS,
    )
    return {"search": search, "background_rsvp_rate": round(background_rate, 1)}


def fetch_once(site: Site, path: str) -> int | str:
    # A cold map document of profile M takes seconds to build: a generous timeout.
    status, _body = asyncio.run(
        loadgen.fetch(HOST, site.streetwave_port, Request("GET", path), timeout=60)
    )
    return status


def map_available(site: Site) -> bool:
    return fetch_once(site, f"/en/c/{site.campaign.slug}/map.json") == 200


def warm_up(site: Site) -> None:
    """A few requests of every kind, so that each worker has imported and compiled what it
    serves and the map documents exist before anything is measured."""
    slug = site.campaign.slug
    for language in LANGUAGES:
        fetch_once(site, f"/{language}/c/{slug}/map.json")
    actions = site.open_actions()
    for make, on_response in (
        (lambda _i: Request("GET", f"/api/v1/campaigns/{slug}/tally"), None),
        (lambda _i: site.rsvp(site.rng.choice(actions)), site.count_rsvp_answer),
    ):
        asyncio.run(
            loadgen.run(
                HOST,
                site.streetwave_port,
                rate=20,
                duration=2,
                make_request=make,
                on_response=on_response,
            )
        )


def map_build_seconds(site: Site) -> float:
    """How long one map document of the seeded campaign takes to build, in this process: what
    the request that finds it expired pays, once per language every LIVE_MAX_AGE seconds."""
    began = time.perf_counter()
    render_map(site.campaign, "en")
    return round(time.perf_counter() - began, 2)


def fanout_hook(site: Site) -> dict:
    """The fan-out of a broadcast to every hub (issue 7, "the fan-out from the messages
    issue"): to be measured against the local SMTP sink once the messaging outbox exists."""
    return {"status": "not built", "reason": "the messaging outbox does not exist yet"}


def broker_queue_length(redis_url: str) -> int:
    """Tasks waiting in Celery's default queue (a Redis list named after it)."""
    return redis.Redis.from_url(redis_url).llen("celery")
