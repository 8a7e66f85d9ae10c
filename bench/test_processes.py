"""Streetwave as it runs in production, on one machine: gunicorn, a Celery worker and Celery beat
as separate processes, against PostgreSQL and Redis on 127.0.0.1, with mail going to a local
SMTP sink (aiosmtpd).

Run by .ci/run after the unit suites, never by `make test` (pytest's testpaths stop at
streetwave/); it needs the machine's services and takes about a minute:

    .venv/bin/pytest -p no:django --noconftest -W ignore::pytest.PytestConfigWarning \
        bench/test_processes.py

The flow: seed profile S, RSVP through the page (with its CSRF token) and through the API, read
the tally and the map, then wait for the worker to deliver both confirmations (manage link and
calendar file) to the sink and open the mailed link; wait for the worker to rebuild the tally
once a reader finds it old; then bring the action's start near, and wait for beat and the
worker to deliver the reminder. Every process is stopped when the module ends, passed or
failed.
"""

import email
import http.cookiejar
import json
import re
import threading
import time
import urllib.parse
import urllib.request

import pytest

from bench.servers import (
    VENV_BIN,
    Processes,
    free_port,
    manage,
    migrated_site,
    start_gunicorn,
    wait_for_http,
)

# Redis databases 10 and 11 are this test's; the unit suite uses 15 and the bench 8 and 9.
REDIS_CACHE = "redis://127.0.0.1:6379/10"
REDIS_BROKER = "redis://127.0.0.1:6379/11"
MAIL_TIMEOUT = 60
# A cached tally is asked anew once 10 s old (LIVE_REFRESH_AGE); the worker's copy follows.
LIVE_TIMEOUT = 30


class MailSink:
    """aiosmtpd handler that keeps every message it is given."""

    def __init__(self):
        self.messages: list[email.message.Message] = []
        self.arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        with self.arrived:
            self.messages.append(email.message_from_bytes(envelope.content))
            self.arrived.notify_all()
        return "250 Message accepted"

    def wait_for(self, count: int, timeout: float) -> list[email.message.Message]:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.messages) >= count, timeout)
            return list(self.messages)

    def wait_for_mail_to(
        self, addresses: set[str], *, after: int, timeout: float
    ) -> list[email.message.Message]:
        """The messages after the first `after` once one has come to each of `addresses`."""

        def arrived() -> bool:
            return addresses <= {message["To"] for message in self.messages[after:]}

        with self.arrived:
            self.arrived.wait_for(arrived, timeout)
            return [m for m in self.messages[after:] if m["To"] in addresses]


@pytest.fixture(scope="module")
def sink():
    return MailSink()


@pytest.fixture(scope="module")
def stack(tmp_path_factory, sink):
    """Migrated, seeded and serving; yields what the tests need to know."""
    var_dir = tmp_path_factory.mktemp("var")
    port = free_port()
    with migrated_site(
        "streetwave_processes",
        sink,
        redis_url=REDIS_CACHE,
        broker_url=REDIS_BROKER,
        var_dir=var_dir,
        site_url=f"http://127.0.0.1:{port}",
        # Beat looks for due reminders every 2 seconds instead of every minute.
        REMINDER_SCAN_SECONDS="2",
    ) as (env, _database):
        manage(env, "collectstatic", "--noinput", "-v0")
        seeded = json.loads(manage(env, "shell", "-c", SEED).splitlines()[-1])
        celery = str(VENV_BIN / "celery")
        with Processes(var_dir / "logs") as processes:
            web = start_gunicorn(processes, "web", "streetwave.wsgi", port, env, workers=2)
            processes.start(
                "worker", [celery, "-A", "streetwave", "worker", "--loglevel=info"], env
            )
            # At debug level beat logs the schedule it loaded (see the beat test).
            beat = processes.start(
                "beat",
                [celery, "-A", "streetwave", "beat", "--loglevel=debug",
                 f"--schedule={var_dir / 'beat-schedule'}"],
                env,
            )  # fmt: skip
            wait_for_http(f"http://127.0.0.1:{port}/healthz", web)
            yield {
                "base": f"http://127.0.0.1:{port}",
                "env": env,
                "processes": processes,
                "beat": beat,
                **seeded,
            }
            running = {name: process.poll() for name, process in processes.started}
    # Every process was still up at the end of the flow: none died along the way.
    assert running == {"web": None, "worker": None, "beat": None}


SEED = """
import json
from streetwave.actions.models import Action
from bench.seed import PROFILES, seed
seeded = seed(PROFILES["S"])
action = Action.objects.filter(campaign=seeded.campaign, status="published", capacity=None)
print(json.dumps({
    "slug": seeded.campaign.slug,
    "action": action.order_by("pk").values_list("public_id", flat=True).first(),
    "going": sum(seeded.campaign.counters.values_list("going", flat=True)),
}))
"""


class Browser:
    """urllib with cookies: enough to load a form and post it back with its CSRF token."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def request(self, path: str, data: bytes | None = None, headers: dict | None = None):
        request = urllib.request.Request(  # noqa: S310 a loopback http URL
            self.base + path, data=data, headers=headers or {}
        )
        try:
            with self.opener.open(request, timeout=30) as answer:
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


def test_health_names_every_service_ok(stack):
    status, body = Browser(stack["base"]).request("/healthz")

    assert status == 200
    assert json.loads(body) == {"status": "ok", "database": "ok", "cache": "ok", "broker": "ok"}


def test_rsvps_reach_the_tally_and_the_worker_mails_a_working_manage_link(stack, sink):
    browser = Browser(stack["base"])
    action = stack["action"]

    # Given the action page and its form
    status, page = browser.request(f"/en/a/{action}/")
    assert status == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    # When one supporter RSVPs through the page and another through the API
    form = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": token,
            "pseudonym": "Sara",
            "email": "page@example.org",
            "language": "en",
            "consent": "on",
        }
    ).encode()
    status, _done = browser.request(f"/en/a/{action}/rsvp/", form)
    assert status == 200
    body = json.dumps({"email": "api@example.org", "language": "fa", "consent": True}).encode()
    status, answer = browser.request(
        f"/api/v1/actions/{action}/rsvps", body, {"Content-Type": "application/json"}
    )
    assert status == 201
    assert json.loads(answer) == {"status": "received", "emailed": True}

    # Then the tally counts both, and the map answers
    status, tally = browser.request(f"/api/v1/campaigns/{stack['slug']}/tally")
    assert status == 200
    assert json.loads(tally)["going"] == stack["going"] + 2
    status, geojson = browser.request(f"/en/c/{stack['slug']}/map.json")
    assert status == 200
    assert any(feature["id"] == action for feature in json.loads(geojson)["features"])

    # And the worker delivers one confirmation to each address, through SMTP, with a working
    # manage link and the action's calendar file
    messages = sink.wait_for(2, MAIL_TIMEOUT)
    assert sorted(message["To"] for message in messages) == ["api@example.org", "page@example.org"]
    for message in messages:
        link = re.search(rf"{re.escape(stack['base'])}(/\w+/rsvp/[\w-]+/)", part(message))[1]
        status, manage_page = browser.request(link)
        assert status == 200
        assert action in manage_page
        assert "BEGIN:VCALENDAR" in part(message, "text/calendar")


def test_an_old_tally_is_rebuilt_by_the_worker_while_readers_get_the_last_copy(stack):
    browser = Browser(stack["base"])
    url = f"/api/v1/campaigns/{stack['slug']}/tally"
    _status, cached = browser.request(url)
    going = json.loads(cached)["going"]

    # When one more supporter RSVPs
    body = json.dumps({"language": "en", "consent": True}).encode()
    status, _answer = browser.request(
        f"/api/v1/actions/{stack['action']}/rsvps", body, {"Content-Type": "application/json"}
    )
    assert status == 201

    # Then readers get the cached copy until a reader finds it old and the worker's copy counts
    # the RSVP
    seen = []
    deadline = time.monotonic() + LIVE_TIMEOUT
    while time.monotonic() < deadline and (not seen or seen[-1] == going):
        _status, tally = browser.request(url)
        seen.append(json.loads(tally)["going"])
        time.sleep(0.5)
    assert seen[-1] == going + 1
    # and the copy was built by the worker, from the queue "live"
    assert re.search(
        r"Task streetwave\.core\.tasks\.rebuild_cached\[[\w-]+\] succeeded",
        stack["processes"].log("worker"),
    )


def part(message: email.message.Message, content_type: str = "text/plain") -> str:
    """The decoded text of the first part of `content_type` in a multipart mail."""
    for piece in message.walk():
        if piece.get_content_type() == content_type:
            return piece.get_payload(decode=True).decode()
    raise AssertionError(f"no {content_type} part in the mail")


REMINDER_DUE = """
import datetime as dt
from django.utils import timezone
from streetwave.actions.models import Action
from streetwave.actions.services import schedule_messages
action = Action.objects.get(public_id="{action}")
action.starts_at = timezone.now() + dt.timedelta(minutes=90)
action.ends_at = action.starts_at + dt.timedelta(hours=2)
action.meeting_point = "By the fountain"
action.save(update_fields=["starts_at", "ends_at", "meeting_point"])
schedule_messages(action)
"""


def test_beat_and_the_worker_deliver_the_reminder_with_the_meeting_point(stack, sink):
    # Given the two RSVPs above, and the action now starting in 90 minutes with a private
    # meeting point whose reveal time (2 hours before the start) has come
    before = len(sink.messages)
    manage(stack["env"], "shell", "-c", REMINDER_DUE.format(action=stack["action"]))

    # Then beat finds it due, and the worker mails both of them (and the seeded supporters of
    # the action) where to meet, once each
    people = {"api@example.org", "page@example.org"}
    messages = sink.wait_for_mail_to(people, after=before, timeout=MAIL_TIMEOUT)
    assert sorted(message["To"] for message in messages) == sorted(people)
    for message in messages:
        assert "By the fountain" in part(message)
        assert "By the fountain" in part(message, "text/html")


def test_beat_runs_with_the_schedule_from_settings(stack):
    # At debug level beat logs the schedule it loaded; the hourly retention job must be in it.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and "Current schedule" not in stack["processes"].log("beat"):
        time.sleep(0.5)
    log = stack["processes"].log("beat")

    assert "beat: Starting..." in log
    assert "erase-expired-personal-data" in log
    assert stack["beat"].poll() is None
