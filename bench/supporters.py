"""Supporters and readers for the CI tests that break things under load (bench/test_multinode.py,
bench/test_drills.py): each supporter RSVPs through the API one request after another, with an
Idempotency-Key, and sends a request whose answer was lost or refused again with the same key,
as a phone on a crowded square would; afterwards `rsvps_found` says which of the acknowledged
RSVPs the database holds."""

import json
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field

from bench.servers import ROOT, VENV_BIN

# How often one RSVP is sent before its supporter gives up on it.
ATTEMPTS = 8


@dataclass
class Answer:
    at: float
    status: int
    retry_after: str | None = None


@dataclass
class Load:
    """What the supporters and readers of one run got."""

    rsvps: list[Answer] = field(default_factory=list)
    reads: list[Answer] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    # When a drill's fault began and when it was undone.
    fault_at: float = 0.0
    undone_at: float = 0.0

    def statuses(self, answers: list[Answer], *, after: float = 0.0) -> dict[int, int]:
        counted: dict[int, int] = {}
        for answer in answers:
            if answer.at > after:
                counted[answer.status] = counted.get(answer.status, 0) + 1
        return counted


def request(url: str, body: dict | None = None, headers: dict | None = None) -> Answer:
    """One request to a loopback URL; status 0 when no answer came at all."""
    data = json.dumps(body).encode() if body is not None else None
    sent = urllib.request.Request(  # noqa: S310 a loopback http URL
        url, data=data, headers={"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(sent, timeout=10) as answer:  # noqa: S310 loopback
            answer.read()
            return Answer(time.monotonic(), answer.status)
    except urllib.error.HTTPError as error:
        return Answer(time.monotonic(), error.code, error.headers.get("Retry-After"))
    except OSError:
        return Answer(time.monotonic(), 0)


def supporter(load: Load, base: str, actions: list[str], name: str) -> None:
    """RSVPs until `load.stop` is set; a refused or lost one is sent again with its key, after
    the Retry-After it was given (at most a second here: the tests are short)."""
    sent = 0
    while not load.stop.is_set():
        email, key = f"{name}-{sent}@example.org", uuid.uuid4().hex
        body = {"email": email, "language": "en", "consent": True}
        url = f"{base}/api/v1/actions/{actions[sent % len(actions)]}/rsvps"
        for _attempt in range(ATTEMPTS):
            answer = request(url, body, {"Idempotency-Key": key})
            load.rsvps.append(answer)
            if 200 <= answer.status < 300:
                load.acknowledged.append(email)
                break
            time.sleep(min(float(answer.retry_after or 0.2), 1.0))
        sent += 1


def reader(load: Load, urls: list[str]) -> None:
    while not load.stop.is_set():
        for url in urls:
            load.reads.append(request(url))


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


def rsvps_found(env: dict[str, str], emails: list[str]) -> dict[str, int]:
    """How many RSVPs the database of `env` holds for each of `emails` (absent: none)."""
    return json.loads(
        subprocess.run(  # noqa: S603 our own interpreter and manage.py
            [str(VENV_BIN / "python"), "manage.py", "shell", "-c", FIND],
            input=json.dumps(emails),
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        ).stdout.splitlines()[-1]
    )
