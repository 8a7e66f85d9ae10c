"""Backups and field keys, as docs/deploy.md tells an operator to handle them ("Backup and
restore", "Rotating the field keys"), run for real against the machine's PostgreSQL and Redis.

- A dump made with pg_dump and restored with pg_restore into a fresh database reads back every
  encrypted contact with the instance's keys, and with the dump alone (other keys) reads none:
  the dump holds no contact in the clear.
- The field keys rotate while RSVPs keep coming: gunicorn serves with [new, old], the rotation
  runs beside a steady RSVP load, no RSVP fails, and afterwards the new key alone reads every
  encrypted value.

Run by .ci/run after the unit suites, never by `make test` (about a minute):

    .venv/bin/pytest -p no:django --noconftest -W ignore::pytest.PytestConfigWarning \
        bench/test_backup_and_keys.py
"""

import concurrent.futures
import itertools
import json
import re
import subprocess
import threading
import time
import urllib.error
import urllib.request

import pytest
from cryptography.fernet import Fernet

from bench.servers import (
    Processes,
    free_port,
    fresh_database,
    manage,
    migrated_site,
    start_gunicorn,
    wait_for_http,
)

# Redis databases 12 and 13 are this test's (test_processes.py has 10 and 11, the suite 15).
REDIS_CACHE = "redis://127.0.0.1:6379/12"
REDIS_BROKER = "redis://127.0.0.1:6379/13"
# Supporters sending RSVPs one after another while the keys rotate.
CONCURRENCY = 4

SEED = """
import json
from bench.seed import PROFILES, seed
from streetwave.actions.models import Action
seeded = seed(PROFILES["S"])
actions = Action.objects.filter(campaign=seeded.campaign, status="published", capacity=None)
print(json.dumps(list(actions.order_by("pk").values_list("public_id", flat=True)[:50])))
"""

# Every encrypted value the instance keeps, read with the keys of the environment: how many were
# read, how many could not be, the first contact in the clear (to compare across a restore), and
# how many are of the RSVPs sent during a rotation.
READ_ALL = """
import json
from cryptography.fernet import InvalidToken
from django.db import connection
from streetwave.actions.models import RSVP
from streetwave.core.crypto import decrypt
read = failed = new = 0
first = None
with connection.cursor() as cursor:
    cursor.execute(f"SELECT contact FROM {RSVP._meta.db_table} WHERE contact <> '' ORDER BY id")
    tokens = [token for (token,) in cursor.fetchall()]
for token in tokens:
    try:
        value = decrypt(token)
    except InvalidToken:
        failed += 1
    else:
        read += 1
        first = first or value
        new += value.startswith("rotation")
print(json.dumps({"read": read, "failed": failed, "first": first, "new": new}))
"""


class NoMail:
    async def handle_DATA(self, server, session, envelope):
        return "250 Message accepted"


def postgres_client(*argv: str) -> None:
    """pg_dump or pg_restore of the machine's PostgreSQL, as an operator runs them."""
    subprocess.run(argv, check=True, timeout=120)  # noqa: S603 fixed commands, our arguments


def read_all(env: dict) -> dict:
    try:
        return json.loads(manage(env, "shell", "-c", READ_ALL).splitlines()[-1])
    except subprocess.CalledProcessError as error:
        raise AssertionError(error.stderr) from error


@pytest.fixture(scope="module")
def seeded_site(tmp_path_factory):
    with migrated_site(
        "streetwave_backup",
        NoMail(),
        redis_url=REDIS_CACHE,
        broker_url=REDIS_BROKER,
        var_dir=tmp_path_factory.mktemp("var"),
        site_url="http://127.0.0.1",
        RSVP_RATE_LIMIT=str(10**9),
    ) as (env, database_url):
        actions = json.loads(manage(env, "shell", "-c", SEED).splitlines()[-1])
        yield env, database_url, actions


def test_a_restored_dump_reads_its_contacts_with_the_keys_and_only_with_them(seeded_site, tmp_path):
    env, database_url, _actions = seeded_site
    before = read_all(env)
    assert before["read"] > 1000 and before["failed"] == 0

    # Given a dump of the database, made as docs/deploy.md says
    dump = tmp_path / "streetwave.dump"
    postgres_client("pg_dump", "--format=custom", "--no-owner", f"--file={dump}", database_url)
    # no contact is in it in the clear
    assert before["first"].encode() not in dump.read_bytes()

    with fresh_database("streetwave_restored") as restored_url:
        # When it is restored into a fresh database
        postgres_client(
            "pg_restore", "--no-owner", "--exit-on-error", f"--dbname={restored_url}", str(dump)
        )
        # Then the instance's keys read every contact again
        assert read_all({**env, "DATABASE_URL": restored_url}) == before
        # and the dump without them reads none
        other_keys = {**env, "DATABASE_URL": restored_url}
        other_keys["FIELD_ENCRYPTION_KEYS"] = Fernet.generate_key().decode()
        assert read_all(other_keys) == {
            "read": 0,
            "failed": before["read"],
            "first": None,
            "new": 0,
        }


def rsvp(base: str, action: str, number: int) -> int:
    body = json.dumps(
        {"email": f"rotation{number}@example.org", "language": "en", "consent": True}
    ).encode()
    request = urllib.request.Request(  # noqa: S310 a loopback http URL
        f"{base}/api/v1/actions/{action}/rsvps",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 loopback
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def test_the_keys_rotate_under_rsvps_without_a_failed_one(seeded_site, tmp_path):
    env, _database_url, actions = seeded_site
    old = env["FIELD_ENCRYPTION_KEYS"]
    new = Fernet.generate_key().decode()
    # Step 1 of the rotation: every process gets the new key first, the old one after it.
    both = {**env, "FIELD_ENCRYPTION_KEYS": f"{new},{old}"}
    port = free_port()
    rotated = threading.Event()
    answers: list[tuple[float, int]] = []

    def supporters(first: int) -> None:
        """RSVPs one after another until the rotation is over."""
        for number in itertools.count(first, CONCURRENCY):
            if rotated.is_set():
                return
            status = rsvp(base, actions[number % len(actions)], number)
            answers.append((time.monotonic(), status))

    with Processes(tmp_path / "logs") as processes:
        web = start_gunicorn(processes, "web", "streetwave.wsgi", port, both, workers=2)
        base = f"http://127.0.0.1:{port}"
        wait_for_http(f"{base}/healthz", web)
        with concurrent.futures.ThreadPoolExecutor(CONCURRENCY) as pool:
            load = [pool.submit(supporters, first) for first in range(CONCURRENCY)]
            time.sleep(1)
            # Step 2, while the RSVPs come in: re-encrypt everything under the new key.
            began = time.monotonic()
            report = manage(both, "rotate_field_keys")
            ended = time.monotonic()
            rotated.set()
            for supporter in load:
                supporter.result()
        assert web.poll() is None

    print(report, f"{len(answers)} RSVPs, rotation {ended - began:.1f} s")
    # Thousands of contacts were re-encrypted, and RSVPs were answered all along
    contacts = re.search(r"actions\.RSVP \(contact\): (\d+) of (\d+) rows", report)
    assert contacts and int(contacts[1]) > 1000
    during = [status for at, status in answers if began <= at <= ended]
    assert len(during) >= 20
    statuses = [status for _at, status in answers]
    assert {status: statuses.count(status) for status in set(statuses)} == {201: len(answers)}
    # Step 3: the old key is retired; the new one alone reads everything, the new RSVPs too.
    after = read_all({**env, "FIELD_ENCRYPTION_KEYS": new})
    assert after["failed"] == 0 and after["new"] == len(answers)
    assert after["read"] > int(contacts[1])
