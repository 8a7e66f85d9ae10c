"""The scenarios of a bench run, in the order `bench.run` calls them.

Each returns a plain dict for the results file. Load steps run in their own event loop
(`asyncio.run`) and database checks run between them, because Django's ORM must not be called
from inside a running loop.
"""

import asyncio
import contextlib
import gzip
import itertools
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import redis
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import Max, Min

from streetwave.actions.models import RSVP, Action
from streetwave.broadcasts.mails import text_language, unsubscribe_url
from streetwave.broadcasts.models import Broadcast
from streetwave.campaigns.map import render_map
from streetwave.campaigns.models import Campaign, CampaignCounter
from streetwave.core.crypto import blind_index
from streetwave.core.mail import absolute_url, render_mail
from streetwave.hubs.models import CampaignRole
from streetwave.outbox.models import Delivery

from . import loadgen
from .loadgen import LoadResult, Request, Response, Search
from .seed import verify_counters
from .servers import Processes, free_port, manage, start_worker, worker_pids

HOST = "127.0.0.1"
# The goals' latency limits (issue 7): writes at p99 <= 100 ms, public reads at p99 <= 50 ms.
WRITE_LIMIT_MS = 100.0
READ_LIMIT_MS = 50.0
CONCURRENCY = 16
STEP_SECONDS = 6.0
# A read step spans more than a lifetime of the cached documents (LIVE_REFRESH_AGE, 10 s), so
# every step includes the rebuilds that a watching crowd sets off; fewer steps keep the run short.
READ_STEP_SECONDS = 16.0
READ_MAX_STEPS = 6
LANGUAGES = ("fa", "en", "fr", "de", "nl")
# What a browser sends that changes the answer: it takes compressed documents.
BROWSER_HEADERS = (("Accept-Encoding", "gzip, deflate, br"),)
# Share of the uniform RSVP ceiling sent in the background while the public reads are measured.
BACKGROUND_RSVP_SHARE = 0.2


@dataclass
class Site:
    """What the scenarios need to know about the running servers and the seeded campaign."""

    streetwave_port: int
    control_port: int
    campaign: Campaign
    run_id: str
    # nginx with deploy/nginx.conf in front of Streetwave, and the same nginx serving the files
    # of `ceiling_root` (bench.servers.nginx_static_server); 0 and None when not started.
    proxy_port: int = 0
    ceiling_port: int = 0
    # bench.control.rsvp: the RSVP's transaction in a bare WSGI function; 0 when not started.
    control_rsvp_port: int = 0
    ceiling_root: Path | None = None
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


def control_rsvp(site: Site, start: float) -> dict:
    """The honest ceiling of an RSVP (bench.control.rsvp): the same requests as `rsvp_uniform`,
    answered by the same transaction without the framework."""
    return _uniform_rsvps(site, site.control_rsvp_port, start)


# --- Streetwave -----------------------------------------------------------------------------


def rsvp_uniform(site: Site, start: float) -> dict:
    """RSVPs spread evenly over every open action, half of them with an email."""
    return _uniform_rsvps(site, site.streetwave_port, start, on_response=site.count_rsvp_answer)


def _uniform_rsvps(
    site: Site,
    port: int,
    start: float,
    on_response: Callable[[int, Response], None] | None = None,
) -> dict:
    actions = site.open_actions()
    before = last_rsvp_id()
    search = step_search(
        port,
        lambda _i: site.rsvp(site.rng.choice(actions)),
        start=start,
        limit_ms=WRITE_LIMIT_MS,
        on_response=on_response,
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
    answered: set[str] = set()

    def on_response(index: int, response: Response) -> None:
        # A person's three clicks are one RSVP and promise one mail: their first answer counts.
        email = order[index][0]
        if email not in answered:
            answered.add(email)
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
        # Every language has its own page documents, and browsers accept gzip, as readers do.
        language = LANGUAGES[index % len(LANGUAGES)]
        if kind == "tally":
            path = f"/api/v1/campaigns/{slug}/tally"
        elif kind == "tally_fragment":
            path = f"/{language}/c/{slug}/tally/"
        else:
            path = f"/{language}/c/{slug}/map.json"
        return Request("GET", path, headers=BROWSER_HEADERS)

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


# --- reads through nginx --------------------------------------------------------------------

# What the watching crowd reads through the reverse proxy's micro-cache (deploy/nginx.conf),
# in the five languages: the tally fragment the campaign page polls, the map data, the page.
PROXY_READS = {
    "tally": "/{language}/c/{slug}/tally/",
    "map": "/{language}/c/{slug}/map.json",
    "campaign": "/{language}/c/{slug}/",
}
# DESIGN, "Performance": what readers see is at most this old.
STALENESS_BUDGET_S = 15.0
# How often the freshness check reads the tally through nginx during a read step.
FRESHNESS_POLL_S = 0.25


def proxy_reads(site: Site, background_rate: float) -> tuple[dict, dict]:
    """Each document of PROXY_READS read through nginx while RSVPs arrive in the background,
    beside the same nginx serving a static file of the same size (the document as a browser
    gets it, gzip, averaged over the languages), searched before and after the reads. Returns
    the ceilings and the reads, each by document."""
    sizes = proxy_document_sizes(site)
    ceilings: dict = {kind: [] for kind in PROXY_READS}
    for kind, size in sizes.items():
        (site.ceiling_root / f"{kind}.bin").write_bytes(os.urandom(size))
        ceilings[kind].append(proxy_static(site, kind, start=500))
    found: dict = {}
    for kind in PROXY_READS:
        best = ceilings[kind][0].best
        start = max(20.0, best.result.achieved_rate * 0.5 if best else 0.0)
        found[kind] = reads_through_proxy(site, kind, start=start, background_rate=background_rate)
        found[kind]["document_bytes"] = sizes[kind]
    for kind in PROXY_READS:
        best = ceilings[kind][0].best
        start = best.result.achieved_rate * 0.8 if best else 500
        ceilings[kind].append(proxy_static(site, kind, start=start))
    return ceilings, found


def proxy_document_sizes(site: Site) -> dict[str, int]:
    """The mean size of each document of PROXY_READS as nginx gives it to a browser."""
    sizes = {}
    for kind, template in PROXY_READS.items():
        found = []
        for language in LANGUAGES:
            path = template.format(language=language, slug=site.campaign.slug)
            request = Request("GET", path, headers=BROWSER_HEADERS)
            status, body = asyncio.run(loadgen.fetch(HOST, site.proxy_port, request, timeout=60))
            if status != 200:
                raise RuntimeError(f"{path} through nginx answered {status}")
            found.append(len(body))
        sizes[kind] = round(sum(found) / len(found))
    return sizes


def proxy_static(site: Site, kind: str, start: float) -> Search:
    """The ceiling: the same nginx serving a file of the size of the document `kind`."""
    request = Request("GET", f"/{kind}.bin", headers=BROWSER_HEADERS)
    return step_search(site.ceiling_port, lambda _i: request, start=start, limit_ms=READ_LIMIT_MS)


@dataclass
class Freshness:
    """How old the tally served through nginx is while RSVPs arrive: each sample's count
    (going and waitlisted, from the API tally) against the moments the RSVPs were answered 2xx.
    A sample that counts k RSVPs more than before misses the (k+1)th answered one: it is as old
    as the time since that answer (0 when every answered RSVP is counted)."""

    before: int
    port: int
    answered: list[float] = field(default_factory=list)
    samples: list[tuple[float, int]] = field(default_factory=list)
    failed_samples: int = 0

    def on_rsvp(self, _index: int, response: Response) -> None:
        if response.ok:
            self.answered.append(time.monotonic())

    async def sample(self, site: Site, duration: float) -> None:
        path = f"/api/v1/campaigns/{site.campaign.slug}/tally"
        request = Request("GET", path, headers=BROWSER_HEADERS)
        deadline = time.monotonic() + duration
        while time.monotonic() < deadline:
            status, body = await loadgen.fetch(HOST, self.port, request)
            if status == 200:
                tally = json.loads(gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body)
                self.samples.append((time.monotonic(), tally["going"] + tally["waitlisted"]))
            else:
                self.failed_samples += 1
            await asyncio.sleep(FRESHNESS_POLL_S)

    def summary(self) -> dict:
        answered = sorted(self.answered)
        oldest = 0.0
        for at, count in self.samples:
            missing = count - self.before
            if 0 <= missing < len(answered) and answered[missing] < at:
                oldest = max(oldest, at - answered[missing])
        return {
            "samples": len(self.samples),
            "failed_samples": self.failed_samples,
            "rsvps_answered": len(answered),
            "poll_s": FRESHNESS_POLL_S,
            "oldest_s": round(oldest, 1),
            "budget_s": STALENESS_BUDGET_S,
            "within_budget": bool(self.samples) and oldest <= STALENESS_BUDGET_S,
        }


def reads_through_proxy(site: Site, kind: str, start: float, background_rate: float) -> dict:
    """Reads of the document `kind` through nginx, every language, while RSVPs (through nginx
    too) keep arriving, and the age of the tally served meanwhile."""
    template = PROXY_READS[kind]
    slug = site.campaign.slug
    requests = [
        Request("GET", template.format(language=language, slug=slug), headers=BROWSER_HEADERS)
        for language in LANGUAGES
    ]
    actions = site.open_actions()
    before = counted_rsvps(site.campaign)
    # Through nginx, what readers get; from gunicorn directly, the app's own copy beside it, so
    # that an old tally can be laid at the door of the proxy or of the app.
    freshness = Freshness(before, site.proxy_port)
    app_freshness = Freshness(before, site.streetwave_port)

    def on_rsvp(index: int, response: Response) -> None:
        site.count_rsvp_answer(index, response)
        freshness.on_rsvp(index, response)
        app_freshness.on_rsvp(index, response)

    async def background(duration: float) -> None:
        await asyncio.gather(
            loadgen.run(
                HOST,
                site.proxy_port,
                rate=background_rate,
                duration=duration,
                make_request=lambda _i: site.rsvp(site.rng.choice(actions)),
                concurrency=CONCURRENCY,
                on_response=on_rsvp,
            ),
            freshness.sample(site, duration),
            app_freshness.sample(site, duration),
        )

    search = step_search(
        site.proxy_port,
        lambda index: requests[index % len(requests)],
        start=start,
        limit_ms=READ_LIMIT_MS,
        background=background,
        seconds=READ_STEP_SECONDS,
        max_steps=READ_MAX_STEPS,
    )
    return {
        "search": search,
        "background_rsvp_rate": round(background_rate, 1),
        "freshness": freshness.summary(),
        "app_freshness": app_freshness.summary(),
        # Beside rsvps_answered: the count moves by every RSVP the freshness check relies on.
        "rsvps_counted": counted_rsvps(site.campaign) - before,
    }


def counted_rsvps(campaign: Campaign) -> int:
    """Going and waitlisted in the campaign's counters: what its tally counts."""
    totals = CampaignCounter.totals(campaign.pk)
    return totals["going"] + totals["waitlisted"]


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
    serves and the live documents exist before anything is measured: the crowd of the read
    scenarios watches a campaign whose pages have been read before, not one read for the first
    time (that first read builds in the request, once)."""
    slug = site.campaign.slug
    for language in LANGUAGES:
        fetch_once(site, f"/{language}/c/{slug}/map.json")
        fetch_once(site, f"/{language}/c/{slug}/tally/")
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
    the worker pays, once per language read every LIVE_REFRESH_AGE seconds."""
    began = time.perf_counter()
    render_map(site.campaign, "en")
    return round(time.perf_counter() - began, 2)


# The fan-out: one broadcast to this many supporters, sent by one worker process (concurrency 1)
# through the outbox, against a bare loop that renders the same mails and sends them over one
# SMTP connection; both into the same aiosmtpd sink (its own process) on 127.0.0.1.
FANOUT_RECIPIENTS = 5_000
# The fan-out's worker takes only the queue of broadcasts (streetwave.outbox.services
# BULK_QUEUE): the manage-link tasks that the RSVP scenarios left in the default queue stay
# there to be counted.
FANOUT_QUEUE = "bulk"
# The first mails of each side (imports, template compilation, the first connection) are not
# timed: the worker's first batch, and as many mails of the bare loop.
FANOUT_WARM_UP = 50
FANOUT_TIMEOUT_S = 300.0
FANOUT_TEXTS = {
    "en": {
        "subject": "Tomorrow, in every street",
        "body": "Bring the gathering to the streets, at the time your group sees fit.\n\n"
        "Check your action's page for the meeting point before you leave.",
    },
    "fa": {
        "subject": "فردا، در همه خیابان‌ها",
        "body": "گردهمایی را به خیابان‌ها بیاورید، در زمانی که گروه شما مناسب می‌داند.\n\n"
        "پیش از رفتن، محل دیدار را در صفحه اقدام خود ببینید.",
    },
}

# Runs in its own process, like everything the site does.
FANOUT_BROADCAST = """
import json, os
from django.contrib.auth import get_user_model
from streetwave.broadcasts.models import Broadcast
from streetwave.broadcasts.services import approve_broadcast, create_broadcast
from streetwave.campaigns.models import Campaign, CampaignCounter
campaign = Campaign.objects.get(slug=os.environ["FANOUT_CAMPAIGN"])
first, second = get_user_model().objects.filter(
    campaign_roles__campaign=campaign, email__startswith="fanout-coordinator"
).order_by("pk")
broadcast = create_broadcast(
    campaign,
    audience=Broadcast.Audience.SUPPORTERS,
    texts=json.loads(os.environ["FANOUT_TEXTS"]),
    actor=first,
)
held = broadcast.status
broadcast = approve_broadcast(broadcast, actor=second)
print(json.dumps({"broadcast": broadcast.pk, "held": held, "status": broadcast.status}))
"""


def fanout_hook(site: Site, recipients: int = FANOUT_RECIPIENTS) -> dict:
    """The fan-out of one broadcast (issue 7, "the fan-out from the messages issue"): mails per
    second of one worker process through the outbox (claim, render, one SMTP session per batch,
    record), divided by a bare loop that only renders the same mails with the same template and
    context and sends them over one SMTP connection. The bare loop runs before and after the
    outbox; the higher pass divides, as for every ceiling."""
    audience = fanout_audience(site.campaign, recipients)
    if len(audience) < recipients:
        return {
            "status": "not measured",
            "reason": f"the campaign has {len(audience)} supporters with an address, "
            f"{recipients} needed",
        }
    env = {
        **os.environ,
        "EMAIL_HOST": HOST,
        "FANOUT_CAMPAIGN": site.campaign.slug,
        "FANOUT_TEXTS": json.dumps(FANOUT_TEXTS),
    }
    began = time.monotonic()
    try:
        queued, bare, outbox = _measure_fanout(site, audience, env)
    except (RuntimeError, subprocess.SubprocessError, OSError) as error:
        # Reported as a goal not met, without losing the rest of the run.
        return {"status": "failed", "reason": f"{type(error).__name__}: {error}"}
    finally:
        redis.Redis.from_url(os.environ["CELERY_BROKER_URL"]).delete(FANOUT_QUEUE)
    ceiling = max(item["rate"] for item in bare)
    ratio = round(outbox["rate"] / ceiling, 2) if ceiling else 0.0
    return {
        "status": "measured",
        "reason": f"one broadcast to {recipients:,} supporters, {queued['held']} and approved; "
        f"{outbox['rate']:,.0f} mails/s through the outbox against {ceiling:,.0f} mails/s "
        f"rendered and sent in a bare loop: ratio {ratio}",
        "recipients": recipients,
        "outbox": outbox,
        "bare": bare,
        "ceiling_rate": ceiling,
        "ratio": ratio,
        "duration_s": round(time.monotonic() - began, 1),
    }


def _measure_fanout(site: Site, audience: list[RSVP], env: dict) -> tuple[dict, list, dict]:
    """The sink, the broadcast, a bare pass, the worker draining the outbox, a bare pass."""
    logs = Path(os.environ.get("STREETWAVE_VAR_DIR", tempfile.gettempdir())) / "logs"
    with Processes(logs) as processes:
        port = free_port()
        env["EMAIL_PORT"] = str(port)
        sink = processes.start(
            "fanout-sink",
            [sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink",
             "-l", f"{HOST}:{port}"],
            env,
        )  # fmt: skip
        wait_for_port(port, sink)
        # The broadcast is queued now; its tasks wait for the worker started after the first
        # bare pass, so the two never share the machine.
        queued = json.loads(manage(env, "shell", "-c", FANOUT_BROADCAST).splitlines()[-1])
        broadcast = Broadcast.objects.select_related("campaign", "message").get(
            pk=queued["broadcast"]
        )
        bare = [bare_fanout(broadcast, audience, port, sink.pid)]
        worker = start_worker(processes, "fanout-worker", env, concurrency=1, queues=FANOUT_QUEUE)
        outbox = outbox_fanout(broadcast, worker, sink.pid)
        processes.stop(worker)
        bare.append(bare_fanout(broadcast, audience, port, sink.pid))
        if sink.poll() is not None:
            raise RuntimeError(f"the SMTP sink exited with {sink.returncode}")
    return queued, bare, outbox


def fanout_audience(campaign: Campaign, count: int) -> list[RSVP]:
    """`count` live RSVPs of the campaign with an address, each its own person, made the only
    ones that asked for the campaign's news; returned with their addresses decrypted."""
    RSVP.objects.filter(action__campaign=campaign, campaign_news=True).update(campaign_news=False)
    chosen = list(
        RSVP.objects.filter(action__campaign=campaign, status__in=RSVP.LIVE)
        .exclude(contact_index="")
        .order_by("pk")
        .values_list("pk", flat=True)[:count]
    )
    RSVP.objects.filter(pk__in=chosen).update(campaign_news=True)
    users = get_user_model().objects
    for number in (1, 2):
        user, _new = users.get_or_create(email=f"fanout-coordinator{number}@example.org")
        CampaignRole.objects.get_or_create(
            user=user, campaign=campaign, role=CampaignRole.Role.COORDINATOR
        )
    return list(RSVP.objects.filter(pk__in=chosen).order_by("pk"))


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"port {port}: the process exited with {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=1):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port} after {timeout:.0f} s")


def outbox_fanout(broadcast: Broadcast, worker: subprocess.Popen, sink_pid: int) -> dict:
    """Wait until the worker has sent every delivery of the broadcast. The rate comes from the
    times the outbox recorded, from the end of the first batch to the end of the last; the CPU
    per mail from /proc, between the first poll that finds the first batch sent and the end."""
    deliveries = Delivery.objects.filter(message=broadcast.message_id)
    sent = deliveries.filter(status=Delivery.Status.SENT)
    total = deliveries.count()
    deadline = time.monotonic() + FANOUT_TIMEOUT_S
    cpu_from = None
    sessions_before = 0
    while deliveries.filter(status__in=[Delivery.Status.QUEUED, Delivery.Status.SENDING]).exists():
        if worker.poll() is not None:
            raise RuntimeError(f"the fan-out worker exited with {worker.returncode}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"the fan-out was not done within {FANOUT_TIMEOUT_S:.0f} s")
        if cpu_from is None and (count := sent.count()):
            cpu_from = (count, _cpu_of(worker.pid, sink_pid))
            sessions_before = _sessions()
        time.sleep(0.2)
    span = sent.aggregate(first=Min("sent_at"), last=Max("sent_at"))
    timed = sent.filter(sent_at__gt=span["first"]).count()
    seconds = (span["last"] - span["first"]).total_seconds()
    result = {
        "deliveries": total,
        "by_status": dict(Counter(deliveries.values_list("status", flat=True))),
        "mails": timed,
        "seconds": round(seconds, 2),
        "rate": round(timed / seconds, 1) if seconds else 0.0,
    }
    if cpu_from is not None:
        count, before = cpu_from
        after = _cpu_of(worker.pid, sink_pid)
        mails = sent.count() - count
        result["cpu_ms_per_mail"] = {
            name: round((after[name] - before[name]) * 1000 / mails, 2) for name in after
        }
        opened = _sessions() - sessions_before
        result["postgresql_sessions_opened"] = opened
        if opened:
            # Celery's Django fix-up closes the connection around every task unless told
            # otherwise: the backends that did the work are gone, their CPU cannot be read.
            result["cpu_ms_per_mail"]["postgresql"] = None
    return result


def _cpu_of(worker_pid: int | None, sink_pid: int) -> dict[str, float]:
    """CPU seconds so far of the SMTP sink, and with a worker, of the worker (its main process
    and pool) and of this database's PostgreSQL backends (other than this process's own)."""
    found = {"sink": _cpu_seconds([sink_pid])}
    if worker_pid is not None:
        found["worker"] = _cpu_seconds([worker_pid, *worker_pids(worker_pid)])
        found["postgresql"] = _cpu_seconds(_backends())
    return found


def _backends() -> set[int]:
    """This database's PostgreSQL backends, other than this process's own."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return {pid for (pid,) in cursor.fetchall()}


def _sessions() -> int:
    """Sessions ever opened on this database (PostgreSQL 14+; counted when they end)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0]


def _cpu_seconds(pids) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError):
            # utime and stime: fields 14 and 15, counted after the command's closing paren.
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def bare_fanout(broadcast: Broadcast, rsvps: list[RSVP], port: int, sink_pid: int) -> dict:
    """The ceiling: the same mails (template, context, language, headers) rendered and sent over
    one SMTP connection, with nothing else: no database, no queue, no bookkeeping."""
    campaign = broadcast.campaign
    connection = get_connection(
        "django.core.mail.backends.smtp.EmailBackend", host=HOST, port=port, use_tls=False
    )
    connection.open()
    try:
        for number, rsvp in enumerate(rsvps):
            if number == FANOUT_WARM_UP:
                began = time.perf_counter()
                cpu_before = time.process_time(), _cpu_of(None, sink_pid)
            chosen = text_language(broadcast, rsvp.language)
            link = unsubscribe_url(rsvp)
            mail = render_mail(
                "broadcasts/mail/supporters",
                {
                    "campaign_title": campaign.text(rsvp.language)["title"],
                    "subject": broadcast.texts[chosen]["subject"],
                    "body": broadcast.texts[chosen]["body"],
                    "text_language": chosen,
                    "site_url": settings.SITE_URL,
                    "unsubscribe_url": link,
                    "campaign_url": absolute_url(
                        "campaigns:detail", campaign.slug, language=rsvp.language
                    ),
                },
                language=rsvp.language,
            )
            message = EmailMultiAlternatives(
                mail.subject,
                mail.text,
                to=[rsvp.contact],
                headers={
                    "Message-ID": f"<bare-{number}-{rsvp.public_id}@{HOST}>",
                    "Auto-Submitted": "auto-generated",
                    "List-Unsubscribe": f"<{link}>",
                    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                },
                connection=connection,
            )
            message.attach_alternative(mail.html, "text/html")
            message.send()
        seconds = time.perf_counter() - began
        cpu_after = time.process_time(), _cpu_of(None, sink_pid)
    finally:
        connection.close()
    timed = len(rsvps) - FANOUT_WARM_UP
    cpu = {"loop": cpu_after[0] - cpu_before[0]}
    cpu.update((name, cpu_after[1][name] - value) for name, value in cpu_before[1].items())
    return {
        "mails": timed,
        "seconds": round(seconds, 2),
        "rate": round(timed / seconds, 1),
        "cpu_ms_per_mail": {name: round(value * 1000 / timed, 2) for name, value in cpu.items()},
    }


def broker_queue_length(redis_url: str) -> int:
    """Tasks waiting in Celery's default queue (a Redis list named after it)."""
    return redis.Redis.from_url(redis_url).llen("celery")
