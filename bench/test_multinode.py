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

    .venv/bin/pytest -p no:django --noconftest -W ignore::pytest.PytestConfigWarning \
        bench/test_multinode.py
"""

import concurrent.futures
import json
import os
import signal
import time

import pytest

from bench.clusters import Cluster, own_clusters
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
from bench.supporters import Load, reader, request, rsvps_found, supporter

# Redis databases of this test (the unit suite has 15, test_processes 10 and 11, backups 12, 13,
# the proxy cache's test 14).
REDIS_CACHE = "redis://127.0.0.1:6379/7"
REDIS_BROKER = "redis://127.0.0.1:6379/0"
MAX_LAG = 2
SUPPORTERS = 4
READERS = 2
# How long the load runs with both nodes, then with one.
BOTH_NODES_SECONDS = 6
ONE_NODE_SECONDS = 8


@pytest.fixture(scope="module")
def clusters():
    with own_clusters(replica=True) as (primary, replica):
        yield primary, replica


class Sink:
    def __init__(self):
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        return "250 Message accepted"


SEED = """
import json
from bench.seed import Profile, seed
from streetwave.actions.models import Action
seeded = seed(Profile("multinode", cities=20, hubs=40, actions=300, rsvps=3_000))
actions = Action.objects.filter(campaign=seeded.campaign, status="published", capacity=None)
print(json.dumps({
    "slug": seeded.campaign.slug,
    "actions": list(actions.order_by("pk").values_list("public_id", flat=True)[:40]),
}))
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
    base, actions, load = stack["base"], stack["actions"], Load()
    pages = [f"/en/c/{stack['slug']}/", f"/api/v1/campaigns/{stack['slug']}/tally"]
    pages += [f"/en/a/{action}/" for action in actions]

    before = replica_reads(replica)
    with concurrent.futures.ThreadPoolExecutor(SUPPORTERS + READERS) as pool:
        running = [
            pool.submit(supporter, load, base, actions, f"node{n}") for n in range(SUPPORTERS)
        ]
        running += [
            pool.submit(reader, load, [base + page for page in pages[n::READERS]])
            for n in range(READERS)
        ]
        time.sleep(BOTH_NODES_SECONDS)
        # One node dies at once, its workers with it (each process runs in its own session).
        killed_at = time.monotonic()
        web1, _port = stack["nodes"]["web1"]
        os.killpg(web1.pid, signal.SIGKILL)
        time.sleep(ONE_NODE_SECONDS)
        load.stop.set()
        for task in running:
            task.result()

    print(
        f"{len(load.acknowledged)} RSVPs acknowledged; answers {load.statuses(load.rsvps)}; "
        f"reads {load.statuses(load.reads)}; replica rows read {replica_reads(replica) - before}"
    )
    # RSVPs and reads went on through the node left
    assert load.statuses(load.rsvps, after=killed_at + 1).get(201, 0) >= 20
    assert load.statuses(load.reads, after=killed_at + 1).get(200, 0) >= 20
    # nginx passes a GET to the other node when one fails: no read was lost
    assert set(load.statuses(load.reads)) == {200}
    # every acknowledged RSVP is in the primary, once
    assert len(load.acknowledged) == len(set(load.acknowledged))
    assert rsvps_found(stack["env"], load.acknowledged) == dict.fromkeys(load.acknowledged, 1)
    # the public reads were answered by the replica
    assert replica_reads(replica) - before > 1_000
    assert all(
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
        assert request(f"{base}/en/a/{action}/").status == 200
    finally:
        replica.query("SELECT pg_wal_replay_resume()")
