"""The outbox survives killed workers: one broadcast to 10,000 supporters while the Celery worker
is SIGKILLed three times, against PostgreSQL and Redis on 127.0.0.1 and a local SMTP sink.

Run by .ci/run after bench/test_processes.py, never by `make test`; it needs the machine's
services and takes about a minute on two cores:

    .venv/bin/pytest -p no:django --noconftest -s bench/test_outbox_kill.py

The flow: migrate a fresh database, seed one campaign whose 10,000 RSVPs (real encrypted
contacts and blind indexes) asked for its news, start a worker (concurrency 2, prefetch 1) and
beat with a short lease (OUTBOX_LEASE_SECONDS=10, sweep every 5 s), and send one broadcast to
them through the services: written by one coordinator, held because it reaches more than 50
people, approved by a second. While the mails arrive, the worker's whole process group is
SIGKILLed after about 15 %, 45 % and 75 % of them; after each kill the deliveries it left
"sending" are counted (the in-flight bound: only those can be sent twice) and a new worker is
started. With Redis as the broker a killed worker's unacknowledged tasks come back only after
the visibility timeout (an hour), so recovery rests on the sweeper, as in production. (The
broadcast's batches wait in their own queue, so beat's sweeps in the default queue run between
them.)

Then, once nothing is queued or sending (bounded wait): every delivery is sent or failed, every
delivery's Message-ID reached the sink, and the duplicate Message-IDs at the sink are at most
the sum of the in-flight bounds. Every process is stopped when the test ends, passed or failed.
"""

import collections
import email.parser
import json
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import psycopg
import pytest

from bench.servers import VENV_BIN, Processes, manage, migrated_site, start_worker

# Redis databases 12 (broker) and 13 (cache) are this test's; test_processes.py uses 10 and 11.
REDIS_BROKER = "redis://127.0.0.1:6379/12"
REDIS_CACHE = "redis://127.0.0.1:6379/13"
RECIPIENTS = 10_000
KILL_AT = (0.15, 0.45, 0.75)
# Half a batch past each share: a batch is rendered before its first mail leaves, so a kill
# just after a multiple of the batch size (50) would mostly land between sends.
KILL_OFFSET = 25
LEASE_SECONDS = 10
SWEEP_SECONDS = 5
# Bounds on each wait, so that a broken outbox fails the test instead of hanging CI.
QUEUE_TIMEOUT = 150
ARRIVAL_TIMEOUT = 120
DRAIN_TIMEOUT = 180


class MailSink:
    """aiosmtpd handler that keeps the raw bytes of every message (parsed at the end: parsing
    10,000 mails while they arrive would take CPU from the worker being measured)."""

    def __init__(self):
        self.raw: list[bytes] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.raw.append(envelope.content)
        return "250 Message accepted"

    def count(self) -> int:
        with self.lock:
            return len(self.raw)

    def message_ids(self) -> collections.Counter:
        parser = email.parser.BytesHeaderParser()
        with self.lock:
            raw = list(self.raw)
        return collections.Counter(parser.parsebytes(content)["Message-ID"] for content in raw)


@pytest.fixture(scope="module")
def sink():
    return MailSink()


@pytest.fixture(scope="module")
def site(tmp_path_factory, sink):
    """The settings of the run and the URL of its database."""
    with migrated_site(
        "streetwave_outbox_kill",
        sink,
        redis_url=REDIS_CACHE,
        broker_url=REDIS_BROKER,
        var_dir=tmp_path_factory.mktemp("var"),
        site_url="http://127.0.0.1:8000",
        OUTBOX_LEASE_SECONDS=str(LEASE_SECONDS),
        OUTBOX_SWEEP_SECONDS=str(SWEEP_SECONDS),
        RECIPIENTS=str(RECIPIENTS),
    ) as site:
        yield site


# One campaign, one hub, 20 actions and RECIPIENTS RSVPs going, each with its own address
# (encrypted, with its blind index and a manage token hash) and asking for the campaign's news:
# rows as the RSVP service leaves them, inserted in bulk.
SEED = """
import datetime as dt, itertools, json, os
from django.contrib.auth import get_user_model
from django.utils import timezone
from streetwave.actions.models import RSVP, Action
from streetwave.actions.services import CONSENT_VERSION
from streetwave.campaigns.models import Campaign
from streetwave.campaigns.services import create_campaign
from streetwave.core.crypto import blind_index
from streetwave.core.ids import hash_token, new_token
from streetwave.hubs.models import CampaignRole, Hub
from streetwave.hubs.services import create_hub
from streetwave.places.models import City, Country

now = timezone.now()
campaign = create_campaign(
    slug="outbox-kill",
    texts={"en": {"title": "Streets for freedom", "statement": "Join us."},
           "fa": {"title": "خیابان برای آزادی", "statement": "به ما بپیوندید."}},
    languages=["en", "fa"], starts_at=now - dt.timedelta(days=1),
    ends_at=now + dt.timedelta(days=7), goal=100, status=Campaign.Status.LIVE,
)
country = Country.objects.create(code="DE", name="Germany", name_fa="آلمان")
city = City.objects.create(geonameid=2950159, name="Berlin", name_fa="برلین", country=country,
                           latitude=52.52, longitude=13.40, population=3_400_000,
                           timezone="Europe/Berlin")
hub = create_hub(name="Berlin hub", city=city, languages=["fa", "de"], status=Hub.Status.ACTIVE)
start = now + dt.timedelta(days=2)
actions = [
    Action.objects.create(hub=hub, city=city, campaign=campaign, title=f"Rally {n}",
                          starts_at=start, ends_at=start + dt.timedelta(hours=2),
                          place="Alexanderplatz", latitude=52.52, longitude=13.41,
                          status=Action.Status.PUBLISHED)
    for n in range(20)
]
languages = itertools.cycle(["fa", "en", "de", "fr", "nl"])
count = int(os.environ["RECIPIENTS"])
rsvps = []
for n in range(count):
    address = f"supporter{n}@example.org"
    rsvps.append(RSVP(action=actions[n % len(actions)], contact=address,
                      contact_index=blind_index(address), language=next(languages),
                      consent_version=CONSENT_VERSION, status=RSVP.Status.GOING,
                      manage_token_hash=hash_token(new_token()), campaign_news=True))
RSVP.objects.bulk_create(rsvps, batch_size=2000)
for action in actions:
    Action.objects.filter(pk=action.pk).update(going_count=action.rsvps.count())
users = get_user_model().objects
for n in (1, 2):
    user = users.create_user(f"coordinator{n}@example.org", "correct horse battery staple")
    CampaignRole.objects.create(user=user, campaign=campaign, role=CampaignRole.Role.COORDINATOR)
print(json.dumps({"rsvps": RSVP.objects.filter(action__campaign=campaign).count()}))
"""

# One broadcast to the campaign's supporters through the services: written by one coordinator,
# held because it reaches more than 50 people, approved by a second.
BROADCAST = """
import json
from django.contrib.auth import get_user_model
from streetwave.broadcasts.models import Broadcast
from streetwave.broadcasts.services import approve_broadcast, create_broadcast
from streetwave.campaigns.models import Campaign

campaign = Campaign.objects.get(slug="outbox-kill")
first, second = get_user_model().objects.filter(campaign_roles__campaign=campaign).order_by("pk")
texts = {
    "en": {"subject": "Tomorrow, in every street",
           "body": "Bring the gathering to the streets. Check your action's page."},
    "fa": {"subject": "فردا، در همه خیابان‌ها",
           "body": "گردهمایی را به خیابان‌ها بیاورید. صفحه اقدام خود را ببینید."},
}
broadcast = create_broadcast(campaign, audience=Broadcast.Audience.SUPPORTERS, texts=texts,
                             actor=first)
held = broadcast.status
broadcast = approve_broadcast(broadcast, actor=second)
print(json.dumps({"broadcast": broadcast.pk, "held": held, "status": broadcast.status}))
"""


class Outbox:
    """Read-only questions to the database about the deliveries of one message."""

    def __init__(self, database_url: str):
        self.conn = psycopg.connect(database_url, autocommit=True)
        self.message_id: int | None = None

    def find_message(self, broadcast: int, timeout: float) -> int:
        """The id of the broadcast's message, set when it goes out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.conn.execute(
                "SELECT message_id FROM broadcasts_broadcast WHERE id = %s", [broadcast]
            ).fetchone()[0]
            if found is not None:
                self.message_id = found
                return found
            time.sleep(0.5)
        raise AssertionError(f"the broadcast was not queued within {timeout} s")

    def by_status(self) -> dict[str, int]:
        rows = self.conn.execute(
            "SELECT status, count(*) FROM broadcasts_delivery WHERE message_id = %s "
            "GROUP BY status",
            [self.message_id],
        ).fetchall()
        return dict(rows)

    def in_flight(self) -> set[tuple[int, str]]:
        """(delivery, claim) of every delivery held by a task run."""
        rows = self.conn.execute(
            "SELECT id, claim FROM broadcasts_delivery WHERE message_id = %s AND status = %s",
            [self.message_id, "sending"],
        ).fetchall()
        return set(rows)

    def message_ids(self, domain: str) -> set[str]:
        rows = self.conn.execute(
            "SELECT public_id FROM broadcasts_delivery WHERE message_id = %s", [self.message_id]
        ).fetchall()
        return {f"<{public_id}@{domain}>" for (public_id,) in rows}

    def attempts(self) -> dict[int, int]:
        rows = self.conn.execute(
            "SELECT attempts, count(*) FROM broadcasts_delivery WHERE message_id = %s "
            "GROUP BY attempts ORDER BY attempts",
            [self.message_id],
        ).fetchall()
        return dict(rows)


def kill(processes: Processes, worker: subprocess.Popen) -> None:
    """SIGKILL the worker and its pool children (its own process group), as a machine would
    lose them: nothing runs a shutdown handler."""
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(10)
    processes.stop(worker)


def wait_for_arrivals(handler: MailSink, count: int, workers: list, outbox: Outbox) -> None:
    deadline = time.monotonic() + ARRIVAL_TIMEOUT
    while handler.count() < count:
        if time.monotonic() > deadline:
            raise AssertionError(
                f"{handler.count()} mails arrived, {count} awaited; {outbox.by_status()}"
            )
        if workers[-1].poll() is not None:
            raise AssertionError(f"the worker exited with {workers[-1].returncode}")
        time.sleep(0.05)


def test_killed_workers_lose_nothing_and_duplicate_only_what_was_in_flight(site, sink):
    env, database = site
    seeded = json.loads(manage(env, "shell", "-c", SEED).splitlines()[-1])
    assert seeded["rsvps"] == RECIPIENTS
    outbox = Outbox(database)
    bounds: list[int] = []
    counted: set[tuple[int, str]] = set()
    log_dir = Path(env["STREETWAVE_VAR_DIR"]) / "logs"
    try:
        with Processes(log_dir) as processes:
            celery = str(VENV_BIN / "celery")
            beat_schedule = log_dir.parent / "beat-schedule"
            beat = [celery, "-A", "streetwave", "beat", f"--schedule={beat_schedule}"]
            processes.start("beat", [*beat, "--loglevel=info"], env)
            workers = [start_worker(processes, "worker1", env, concurrency=2)]

            began = time.monotonic()
            queued = json.loads(manage(env, "shell", "-c", BROADCAST).splitlines()[-1])
            print(
                f"\none broadcast through the services: {queued['held']}, then {queued['status']}"
            )
            outbox.find_message(queued["broadcast"], QUEUE_TIMEOUT)
            total = sum(outbox.by_status().values())
            assert total == RECIPIENTS

            for share in KILL_AT:
                wait_for_arrivals(sink, int(total * share) + KILL_OFFSET, workers, outbox)
                kill(processes, workers[-1])
                # Claims of an earlier kill that the sweeper has not released yet are still
                # "sending": only the claims new since then were this worker's.
                held = outbox.in_flight()
                bounds.append(len(held - counted))
                counted |= held
                print(
                    f"killed worker {len(workers)} at {sink.count():,} mails arrived "
                    f"({time.monotonic() - began:.1f} s): {bounds[-1]} deliveries in flight "
                    f"({len(held)} sending in all); {outbox.by_status()}"
                )
                workers.append(
                    start_worker(processes, f"worker{len(workers) + 1}", env, concurrency=2)
                )

            deadline = time.monotonic() + DRAIN_TIMEOUT
            statuses = outbox.by_status()
            while statuses.get("queued", 0) + statuses.get("sending", 0):
                assert time.monotonic() < deadline, f"still not settled: {statuses}"
                assert workers[-1].poll() is None, "the last worker died"
                time.sleep(0.5)
                statuses = outbox.by_status()
            elapsed = time.monotonic() - began
            running = {name: process.poll() for name, process in processes.started}
        expected = outbox.message_ids("127.0.0.1")
        attempts = outbox.attempts()
    except BaseException:
        for name in ("beat", *(f"worker{n}" for n in range(1, 5))):
            path = log_dir / f"{name}.log"
            if path.exists():
                print(f"--- {name} (last lines)\n" + "\n".join(path.read_text().splitlines()[-30:]))
        raise
    finally:
        outbox.conn.close()

    arrived = sink.message_ids()
    duplicates = sum(count - 1 for count in arrived.values() if count > 1)
    print(
        f"{RECIPIENTS:,} deliveries in {elapsed:.1f} s: {statuses}; in-flight bounds {bounds} "
        f"(sum {sum(bounds)}); {duplicates} duplicate Message-IDs among {sum(arrived.values()):,} "
        f"mails at the sink; deliveries by attempts {attempts}"
    )
    # The worker and beat that ran at the end were still up.
    assert all(code is None for code in running.values()), running
    # None lost, none stuck: every delivery reached an end
    assert set(statuses) <= {"sent", "failed"}, statuses
    assert sum(statuses.values()) == RECIPIENTS
    # Every delivery's mail arrived, and nothing arrived that is not a delivery of this message
    assert expected - set(arrived) == set()
    assert set(arrived) - expected == set()
    # Only mails in flight at a kill were sent twice
    assert duplicates <= sum(bounds)
