"""Streetwave as `make run` runs it: the development server and a Celery worker with its beat as
two processes, on SQLite with the file-system broker and the cache under var/, nothing else
installed. An RSVP must reach the tally the web server serves within the staleness budget,
although the copy is rebuilt by the worker, in another process.

Run by .ci/run beside bench/test_processes.py, never by `make test`:

    .venv/bin/pytest -p no:django --noconftest -W ignore::pytest.PytestConfigWarning \
        bench/test_embedded.py
"""

import json
import os
import time
import urllib.request

import pytest

from bench.servers import ROOT, VENV_BIN, Processes, free_port, manage, wait_for_http

# DESIGN: a public document may be at most 15 s old.
STALENESS_BUDGET = 15.0

FIRST_OPEN_ACTION = """
import json
from django.utils import timezone
from streetwave.actions.models import Action
action = Action.objects.filter(
    status="published", capacity=None, campaign__isnull=False, ends_at__gt=timezone.now()
).select_related("campaign").order_by("pk").first()
print(json.dumps({"action": action.public_id, "slug": action.campaign.slug}))
"""


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("var")
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        STREETWAVE_DEV="1",
        STREETWAVE_VAR_DIR=str(var_dir),
        SITE_URL=f"http://127.0.0.1:{port}",
        PYTHONPATH=str(ROOT),
    )
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "demo", "--if-empty")
    found = json.loads(manage(env, "shell", "-c", FIRST_OPEN_ACTION).splitlines()[-1])
    with Processes(var_dir / "logs") as processes:
        processes.start(
            "worker",
            [str(VENV_BIN / "celery"), "-A", "streetwave", "worker", "--beat", "--pool=solo",
             "--loglevel=info", f"--schedule={var_dir / 'beat-schedule'}"],
            env,
        )  # fmt: skip
        web = processes.start(
            "web",
            [str(VENV_BIN / "python"), "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            env,
        )
        wait_for_http(f"http://127.0.0.1:{port}/healthz", web)
        yield {"base": f"http://127.0.0.1:{port}", "processes": processes, **found}


def get_json(url: str, body: dict | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(  # noqa: S310 a loopback http URL
        url, data=data, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
        return json.loads(answer.read())


def test_an_rsvp_reaches_the_served_tally_within_the_staleness_budget(embedded):
    tally_url = f"{embedded['base']}/api/v1/campaigns/{embedded['slug']}/tally"
    # given a tally that the web server has cached
    going = get_json(tally_url)["going"]

    # when one supporter RSVPs
    get_json(
        f"{embedded['base']}/api/v1/actions/{embedded['action']}/rsvps",
        {"language": "fa", "consent": True},
    )
    rsvped_at = time.monotonic()

    # then, read as watchers do (every second), the served tally counts it within the budget
    seen = going
    while seen == going and time.monotonic() - rsvped_at < 2 * STALENESS_BUDGET:
        time.sleep(1)
        seen = get_json(tally_url)["going"]
    delay = time.monotonic() - rsvped_at
    print(f"the RSVP reached the served tally after {delay:.1f} s")
    assert seen == going + 1
    assert delay <= STALENESS_BUDGET
    # and the copy came from the worker, in the other process
    assert "streetwave.core.tasks.rebuild_cached" in embedded["processes"].log("worker")
