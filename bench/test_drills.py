"""Fault drills under RSVP load, each ending in a count (docs/deploy.md, "Faults").

One instance in the production shape (gunicorn, a Celery worker and beat) on services of the
test's own, so they can be broken: a PostgreSQL cluster (bench/clusters.py), a redis-server on a
free port (cache and broker) and an SMTP sink in this process. Supporters RSVP through the API
with an Idempotency-Key and send again what was refused, after its Retry-After.

- PostgreSQL restarted: 503s with Retry-After while it is down, RSVPs again once it is back,
  every RSVP answered 2xx in the database once.
- Redis stopped: RSVPs keep being answered 201 and the public pages 200 (each process uses its
  own cache meanwhile); the broker's absence is caught up by the outbox's sweep.
- The SMTP server down for a minute: the outbox keeps the mails and sends every one, once.

Run by .ci/run after the unit suites (about four minutes):

    .venv/bin/pytest -p no:django --noconftest -W ignore::pytest.PytestConfigWarning \
        bench/test_drills.py
"""

import concurrent.futures
import email
import json
import subprocess
import time

import pytest
from aiosmtpd.controller import Controller

from bench.clusters import own_clusters
from bench.servers import (
    VENV_BIN,
    Processes,
    free_port,
    mail_to_sink,
    manage,
    production_env,
    start_gunicorn,
    wait_for_http,
)
from bench.supporters import Load, reader, rsvps_found, supporter

SUPPORTERS = 4
SMTP_DOWN_SECONDS = 60
# The outbox defers mails after a server failure by 30 s, then as long again as they waited.
MAIL_CATCH_UP_SECONDS = 240

SEED = """
import json
from bench.seed import Profile, seed
from streetwave.actions.models import Action
seeded = seed(Profile("drill", cities=5, hubs=5, actions=40, rsvps=0))
actions = Action.objects.filter(campaign=seeded.campaign, status="published", capacity=None)
print(json.dumps({
    "slug": seeded.campaign.slug,
    "actions": list(actions.order_by("pk").values_list("public_id", flat=True)[:20]),
}))
"""

# Deliveries by status, and the Message-ID of every one sent.
OUTBOX = """
import json
from django.db.models import Count
from streetwave.outbox.models import Delivery
print(json.dumps(dict(Delivery.objects.values_list("status").annotate(n=Count("pk")))))
"""


class Sink:
    """The SMTP server: keeps every message; `down()` and `up()` stop and start it on its port."""

    def __init__(self):
        self.port = free_port()
        self.messages: list[email.message.Message] = []
        self.controller: Controller | None = None

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted"

    def up(self) -> None:
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def down(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


class Redis:
    """A redis-server of the test's own, with nothing on disk."""

    def __init__(self, processes: Processes):
        self.processes, self.port = processes, free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        argv = ["/usr/bin/redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        argv += ["--save", "", "--appendonly", "no"]
        self.process = self.processes.start("redis", argv, {})
        for _ in range(50):
            if (
                subprocess.run(  # noqa: S603 the machine's redis-cli, our arguments
                    ["/usr/bin/redis-cli", "-p", str(self.port), "ping"],
                    capture_output=True,
                    check=False,
                ).stdout.strip()
                == b"PONG"
            ):
                return
            time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.processes.stop(self.process)
            self.process = None


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("var")
    sink = Sink()
    sink.up()
    with own_clusters(replica=False) as (primary, _none), Processes(var_dir / "logs") as processes:
        redis = Redis(processes)
        redis.start()
        port = free_port()
        env = production_env(
            database_url=primary.url("streetwave"),
            redis_url=f"redis://127.0.0.1:{redis.port}/0",
            broker_url=f"redis://127.0.0.1:{redis.port}/1",
            var_dir=var_dir,
            site_url=f"http://127.0.0.1:{port}",
            RSVP_RATE_LIMIT=str(10**9),
            # The sweep looks every 5 s for mails whose task the broker lost, after 15 s.
            OUTBOX_SWEEP_SECONDS="5",
            OUTBOX_LEASE_SECONDS="15",
            **mail_to_sink(sink.port),
        )
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "collectstatic", "--noinput", "-v0")
        seeded = json.loads(manage(env, "shell", "-c", SEED).splitlines()[-1])
        celery = str(VENV_BIN / "celery")
        web = start_gunicorn(processes, "web", "streetwave.wsgi", port, env, workers=3)
        processes.start("worker", [celery, "-A", "streetwave", "worker", "--loglevel=info"], env)
        processes.start(
            "beat",
            [celery, "-A", "streetwave", "beat", f"--schedule={var_dir / 'beat-schedule'}"],
            env,
        )
        base = f"http://127.0.0.1:{port}"
        wait_for_http(f"{base}/healthz", web)
        yield {
            "base": base,
            "env": env,
            "primary": primary,
            "redis": redis,
            "sink": sink,
            "processes": processes,
            "acknowledged": [],
            **seeded,
        }
    sink.down()


def under_load(stack, name: str, fault, *, before: float, during: float, after: float) -> Load:
    """Supporters RSVP (and one reader reads the campaign page and the tally) for `before`
    seconds, then `fault()` returns what undoes it, called `during` seconds later; the load goes
    on `after` seconds more."""
    load = Load()
    base, slug = stack["base"], stack["slug"]
    pages = [f"{base}/en/c/{slug}/", f"{base}/api/v1/campaigns/{slug}/tally"]
    with concurrent.futures.ThreadPoolExecutor(SUPPORTERS + 1) as pool:
        running = [
            pool.submit(supporter, load, base, stack["actions"], f"{name}{n}")
            for n in range(SUPPORTERS)
        ]
        running.append(pool.submit(reader, load, pages))
        time.sleep(before)
        load.fault_at = time.monotonic()
        undo = fault()
        time.sleep(during)
        undo()
        load.undone_at = time.monotonic()
        time.sleep(after)
        load.stop.set()
        for task in running:
            task.result()
    stack["acknowledged"] += load.acknowledged
    print(
        f"{name}: {len(load.acknowledged)} RSVPs acknowledged; answers "
        f"{load.statuses(load.rsvps)}; reads {load.statuses(load.reads)}"
    )
    return load


def test_postgresql_restarted_answers_503_then_recovers_losing_nothing(stack):
    primary = stack["primary"]

    def stop():
        primary.stop()
        return primary.start

    load = under_load(stack, "postgres", stop, before=4, during=6, after=6)

    refused = [answer for answer in load.rsvps if answer.status == 503]
    # While it was down: clear 503s, each saying when to come back, and nothing else
    assert refused and all(answer.retry_after == "10" for answer in refused)
    assert set(load.statuses(load.rsvps)) <= {201, 503}
    # once it is back, RSVPs are taken again without anyone restarting anything
    assert load.statuses(load.rsvps, after=load.undone_at + 2).get(201, 0) >= 10
    # and every RSVP answered 201 is there, once
    found = rsvps_found(stack["env"], load.acknowledged)
    assert found == dict.fromkeys(load.acknowledged, 1)


def test_redis_stopped_keeps_rsvps_and_pages_coming(stack):
    redis = stack["redis"]

    def stop():
        redis.stop()
        return redis.start

    load = under_load(stack, "redis", stop, before=3, during=8, after=4)

    during = [a for a in load.rsvps if load.fault_at + 0.5 < a.at < load.undone_at]
    assert len(during) >= 10
    # Every RSVP was answered 201, and every read 200, while Redis was down too
    assert load.statuses(load.rsvps) == {201: len(load.rsvps)}
    assert load.statuses(load.reads) == {200: len(load.reads)}
    found = rsvps_found(stack["env"], load.acknowledged)
    assert found == dict.fromkeys(load.acknowledged, 1)


def test_smtp_down_for_a_minute_every_mail_is_sent_once(stack):
    sink = stack["sink"]
    went_down = time.monotonic()
    sink.down()
    load = under_load(stack, "smtp", lambda: lambda: None, before=5, during=0, after=5)
    time.sleep(max(0.0, SMTP_DOWN_SECONDS - (time.monotonic() - went_down)))
    sink.up()

    # Then every RSVP of every drill gets its confirmation, once
    deadline = time.monotonic() + MAIL_CATCH_UP_SECONDS
    while time.monotonic() < deadline:
        statuses = json.loads(manage(stack["env"], "shell", "-c", OUTBOX).splitlines()[-1])
        if set(statuses) == {"sent"}:
            break
        time.sleep(5)
    by_address: dict[str, set[str]] = {}
    copies: dict[str, int] = {}
    for message in sink.messages:
        by_address.setdefault(message["To"], set()).add(message["Message-ID"])
        copies[message["To"]] = copies.get(message["To"], 0) + 1
    twice = sorted(address for address, count in copies.items() if count > 1)
    print(f"outbox {statuses}, {len(sink.messages)} mails at the sink, sent twice: {twice}")
    assert load.acknowledged
    assert set(statuses) == {"sent"}
    # Every RSVP of every drill got its confirmation, each one Message-ID
    assert set(by_address) == set(stack["acknowledged"])
    assert all(len(ids) == 1 for ids in by_address.values())
    # and every mail queued while the SMTP server was down reached it once.
    assert not [address for address in twice if address in load.acknowledged]
    # A mail handed to the server just as PostgreSQL stopped may go again once it is back (its
    # "sent" could not be written): the same Message-ID, which mail clients show once. Only
    # the PostgreSQL drill's mails may be among them.
    assert all(address.startswith("postgres") for address in twice)
    assert len(twice) <= 3


def test_every_process_outlived_the_drills(stack):
    running = {name: process.poll() for name, process in stack["processes"].started}
    assert running == {"redis": None, "web": None, "worker": None, "beat": None}
