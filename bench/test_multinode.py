"""The shape an instance grows into, on one machine: two gunicorn web nodes behind nginx
(deploy/nginx.conf), a PostgreSQL primary with a streaming replica made by pg_basebackup that
serves the public reads (core.replica), Redis, a Celery worker and beat.

Under a steady load of RSVPs (each with an Idempotency-Key, retried with the same key when an
answer is lost) and public reads, one web node is killed: reads and RSVPs keep flowing through
the other, and every RSVP that got a 2xx is in the primary afterwards, once. Then the replica's
replay is paused: once it is more than REPLICA_MAX_LAG_SECONDS behind, public reads go back to
the primary and see what the replica has not replayed.

Both clusters are the test's own (initdb in a temporary folder, free ports), so the machine's
PostgreSQL is never touched. Run by .ci/run after the unit suites (about two minutes):

    .venv/bin/pytest -p no:django --noconftest bench/test_multinode.py
"""

import concurrent.futures
import contextlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import psycopg
import pytest

from bench.servers import (
    VENV_BIN,
    Processes,
    empty_redis,
    free_port,
    mail_to_sink,
    manage,
    production_env,
    smtp_sink,
    start_gunicorn,
    start_nginx,
    wait_for_http,
)

PG_BIN = Path(
    subprocess.run(
        ["pg_config", "--bindir"],  # noqa: S607 PostgreSQL's own tool, from the PATH
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
)
# Redis databases of this test (the unit suite has 15, test_processes 10 and 11, backups 12, 13).
REDIS_CACHE = "redis://127.0.0.1:6379/14"
REDIS_BROKER = "redis://127.0.0.1:6379/0"
MAX_LAG = 2
SUPPORTERS = 4
READERS = 2
# How long the load runs with both nodes, then with one.
BOTH_NODES_SECONDS = 6
ONE_NODE_SECONDS = 8


def as_postgres(*argv: str) -> list[str]:
    """PostgreSQL refuses to run as root: as root (CI), its commands run as the postgres user."""
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else list(argv)


def pg(*argv: str, timeout: float = 120) -> None:
    command = as_postgres(*argv)
    subprocess.run(command, check=True, timeout=timeout, capture_output=True)  # noqa: S603 ours


class Cluster:
    """A PostgreSQL cluster of the test's own, on 127.0.0.1:`port`."""

    def __init__(self, folder: Path, port: int):
        self.folder, self.port = folder, port

    def start(self) -> None:
        pg(
            str(PG_BIN / "pg_ctl"),
            "--wait",
            f"--pgdata={self.folder}",
            f"--log={self.folder}/server.log",
            "--options",
            f"-c port={self.port} -c listen_addresses=127.0.0.1 "
            f"-c unix_socket_directories={self.folder} -c hot_standby=on",
            "start",
        )

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            pg(str(PG_BIN / "pg_ctl"), f"--pgdata={self.folder}", "--mode=fast", "stop")

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def query(self, sql: str, database: str = "streetwave") -> list[tuple]:
        with psycopg.connect(self.url(database), autocommit=True) as connection:
            cursor = connection.execute(sql)
            return cursor.fetchall() if cursor.description else []


@pytest.fixture(scope="module")
def clusters():
    """A primary and its streaming replica, each with a folder the postgres user owns."""
    root = Path(tempfile.mkdtemp(prefix="streetwave-multinode-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    primary = Cluster(root / "primary", free_port())
    replica = Cluster(root / "replica", free_port())
    try:
        pg(
            str(PG_BIN / "initdb"),
            "--auth=trust",
            "--username=postgres",
            f"--pgdata={primary.folder}",
        )
        with (primary.folder / "pg_hba.conf").open("a") as hba:
            hba.write("host replication postgres 127.0.0.1/32 trust\n")
        primary.start()
        primary.query("CREATE DATABASE streetwave", "postgres")
        pg(
            str(PG_BIN / "pg_basebackup"),
            "--host=127.0.0.1",
            f"--port={primary.port}",
            "--username=postgres",
            f"--pgdata={replica.folder}",
            "--wal-method=stream",
            "--write-recovery-conf",
        )
        replica.start()
        yield primary, replica
    finally:
        replica.stop()
        primary.stop()
        shutil.rmtree(root, ignore_errors=True)


class Sink:
    def __init__(self):
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        return "250 Message accepted"


SEED = """
import json
from bench.seed import PROFILES, seed
from streetwave.actions.models import Action
seeded = seed(PROFILES["S"])
actions = Action.objects.filter(campaign=seeded.campaign, status="published", capacity=None)
print(json.dumps({
    "slug": seeded.campaign.slug,
    "actions": list(actions.order_by("pk").values_list("public_id", flat=True)[:40]),
}))
"""

# Which of the emails given on stdin have an RSVP, and how many each.
FIND = """
import json, sys
from collections import Counter
from streetwave.actions.models import RSVP
from streetwave.core.crypto import blind_index
emails = json.load(sys.stdin)
indexes = {blind_index(email): email for email in emails}
found = Counter(
    indexes[index]
    for index in RSVP.objects.filter(contact_index__in=indexes).values_list(
        "contact_index", flat=True
    )
)
print(json.dumps(found))
"""

# A public action made on the primary while the replica does not replay: its page is found
# only where the primary answers.
NEW_ACTION = """
import json
from streetwave.actions.models import Action
from streetwave.core.ids import new_public_id
action = Action.objects.filter(status="published").order_by("pk").first()
action.pk, action.public_id = None, new_public_id()
action.save()
print(json.dumps(action.public_id))
"""


def post_rsvp(base: str, action: str, email: str, key: str) -> int:
    request = urllib.request.Request(  # noqa: S310 a loopback http URL
        f"{base}/api/v1/actions/{action}/rsvps",
        data=json.dumps({"email": email, "language": "en", "consent": True}).encode(),
        headers={"Content-Type": "application/json", "Idempotency-Key": key},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 loopback
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 loopback
            answer.read()
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


@pytest.fixture(scope="module")
def stack(clusters, tmp_path_factory):
    primary, replica = clusters
    var_dir = tmp_path_factory.mktemp("var")
    port = free_port()
    with smtp_sink(Sink()) as smtp_port:
        env = production_env(
            database_url=primary.url("streetwave"),
            redis_url=REDIS_CACHE,
            broker_url=REDIS_BROKER,
            var_dir=var_dir,
            site_url=f"http://127.0.0.1:{port}",
            DATABASE_REPLICA_URL=replica.url("streetwave"),
            REPLICA_MAX_LAG_SECONDS=str(MAX_LAG),
            RSVP_RATE_LIMIT=str(10**9),
            **mail_to_sink(smtp_port),
        )
        empty_redis(REDIS_CACHE, REDIS_BROKER)
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "collectstatic", "--noinput", "-v0")
        seeded = json.loads(manage(env, "shell", "-c", SEED).splitlines()[-1])
        celery = str(VENV_BIN / "celery")
        with Processes(var_dir / "logs") as processes:
            nodes = {}
            for name in ("web1", "web2"):
                node_port = free_port()
                nodes[name] = (
                    start_gunicorn(processes, name, "streetwave.wsgi", node_port, env, workers=2),
                    node_port,
                )
            for process, node_port in nodes.values():
                wait_for_http(f"http://127.0.0.1:{node_port}/healthz", process)
            processes.start(
                "worker", [celery, "-A", "streetwave", "worker", "--loglevel=info"], env
            )
            processes.start(
                "beat",
                [celery, "-A", "streetwave", "beat", f"--schedule={var_dir / 'beat-schedule'}"],
                env,
            )
            # Both nodes in the upstream of deploy/nginx.conf, as docs/deploy.md says.
            nginx = start_nginx(
                processes,
                "nginx",
                port=port,
                web=[f"127.0.0.1:{node_port}" for _process, node_port in nodes.values()],
                static=var_dir / "static",
            )
            base = f"http://127.0.0.1:{port}"
            wait_for_http(f"{base}/healthz", nginx)
            yield {"base": base, "env": env, "nodes": nodes, "processes": processes, **seeded}
        empty_redis(REDIS_CACHE, REDIS_BROKER)


def replica_reads(replica: Cluster) -> int:
    (rows,) = replica.query(
        "SELECT tup_returned FROM pg_stat_database WHERE datname = 'streetwave'"
    )
    return rows[0]


def test_killing_a_web_node_loses_no_rsvp_and_reads_keep_coming(stack, clusters):
    _primary, replica = clusters
    base, actions = stack["base"], stack["actions"]
    stop = threading.Event()
    acknowledged: list[str] = []
    rsvps: list[tuple[float, int]] = []
    reads: list[tuple[float, int]] = []

    def supporter(number: int) -> None:
        sent = 0
        while not stop.is_set():
            email, key = f"node{number}-{sent}@example.org", uuid.uuid4().hex
            # A lost answer is sent again with the same key, as a phone on a square would.
            for _attempt in range(5):
                status = post_rsvp(base, actions[sent % len(actions)], email, key)
                rsvps.append((time.monotonic(), status))
                if 200 <= status < 300:
                    acknowledged.append(email)
                    break
                time.sleep(0.2)
            sent += 1

    def reader(number: int) -> None:
        pages = [f"/en/c/{stack['slug']}/", f"/api/v1/campaigns/{stack['slug']}/tally"]
        pages += [f"/en/a/{action}/" for action in actions[number::READERS]]
        while not stop.is_set():
            for page in pages:
                reads.append((time.monotonic(), get(base + page)))

    before = replica_reads(replica)
    with concurrent.futures.ThreadPoolExecutor(SUPPORTERS + READERS) as pool:
        load = [pool.submit(supporter, n) for n in range(SUPPORTERS)]
        load += [pool.submit(reader, n) for n in range(READERS)]
        time.sleep(BOTH_NODES_SECONDS)
        # One node dies at once, its workers with it (each process runs in its own session).
        killed_at = time.monotonic()
        web1, _port = stack["nodes"]["web1"]
        os.killpg(web1.pid, signal.SIGKILL)
        time.sleep(ONE_NODE_SECONDS)
        stop.set()
        for task in load:
            task.result()

    after_kill = [status for at, status in rsvps if at > killed_at + 1]
    reads_after = [status for at, status in reads if at > killed_at + 1]
    print(
        f"{len(acknowledged)} RSVPs acknowledged, {len(rsvps)} answers "
        f"({sum(1 for _a, s in rsvps if not 200 <= s < 300)} not 2xx); {len(reads)} reads "
        f"({sum(1 for _a, s in reads if s != 200)} not 200); replica rows read: "
        f"{replica_reads(replica) - before}"
    )
    # RSVPs and reads went on through the node left
    assert sum(1 for status in after_kill if status == 201) >= 20
    assert reads_after.count(200) >= 20
    # nginx passes a GET to the other node when one fails: no read was lost
    assert {status for _at, status in reads} == {200}
    # every acknowledged RSVP is in the primary, once
    found = json.loads(
        subprocess.run(  # noqa: S603 our own interpreter and manage.py
            [str(VENV_BIN / "python"), "manage.py", "shell", "-c", FIND],
            input=json.dumps(acknowledged),
            env=stack["env"],
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        ).stdout.splitlines()[-1]
    )
    assert len(acknowledged) == len(set(acknowledged))
    assert found == dict.fromkeys(acknowledged, 1)
    # the public reads were answered by the replica
    assert replica_reads(replica) - before > 10_000
    assert stack["processes"].started and all(
        process.poll() is None for name, process in stack["processes"].started if name != "web1"
    )


def test_public_reads_go_back_to_the_primary_when_the_replica_lags(stack, clusters):
    primary, replica = clusters
    base = stack["base"]
    replica.query("SELECT pg_wal_replay_pause()")
    try:
        # Given an action the replica has not replayed
        action = json.loads(manage(stack["env"], "shell", "-c", NEW_ACTION).splitlines()[-1])
        # (and writes that keep the replica's lag growing past the bound)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            primary.query("SELECT txid_current()")
            (lag,) = replica.query(
                "SELECT EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())"
            )[0]
            if lag > MAX_LAG + 1.5:
                break
            time.sleep(0.5)
        # Then its public page is found: read from the primary
        assert get(f"{base}/en/a/{action}/") == 200
    finally:
        replica.query("SELECT pg_wal_replay_resume()")
