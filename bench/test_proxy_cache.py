"""The micro-cache of deploy/nginx.conf in front of Streetwave, with real requests: nginx (the
production file, on loopback ports: bench.servers.nginx_conf), gunicorn and the Celery worker
that rebuilds the live documents, against PostgreSQL and Redis on 127.0.0.1, in a database of
its own.

Run by .ci/run after the unit suites (it needs nginx, the machine's services, and about a
minute):

    .venv/bin/pytest -p no:django --noconftest -W ignore::pytest.PytestConfigWarning \
        bench/test_proxy_cache.py

Each rule of the cache is asked of nginx itself, through X-Cache-Status: the crowd's documents
are kept (a second GET is a HIT), per language and per encoding; a request with the session or
messages cookie, an answer that sets a cookie, a search, an organizer page, a secret link and a
POST never are; and the tally that readers get through the cache counts an RSVP within the
15 s of DESIGN ("Performance").
"""

import gzip
import json
import shutil
import time
import urllib.error
import urllib.request

import pytest

from bench.servers import (
    NGINX,
    Processes,
    free_port,
    manage,
    migrated_site,
    start_gunicorn,
    start_nginx,
    start_worker,
    wait_for_http,
)

# Redis database 14 is this test's, for the cache and the broker alike (see test_processes.py
# for the others).
REDIS = "redis://127.0.0.1:6379/14"
# DESIGN, "Performance": what readers see is at most this old.
STALENESS_BUDGET_S = 15.0
GZIP = {"Accept-Encoding": "gzip, deflate, br"}

pytestmark = pytest.mark.skipif(
    shutil.which(NGINX) is None, reason=f"{NGINX} is missing (apt-get install nginx-light)"
)


class DiscardMail:
    async def handle_DATA(self, server, session, envelope):
        return "250 Message accepted"


SEED = """
import json
from streetwave.actions.models import Action
from bench.seed import PROFILES, seed
seeded = seed(PROFILES["S"])
action = Action.objects.filter(campaign=seeded.campaign, status="published", capacity=None)
print(json.dumps({
    "slug": seeded.campaign.slug,
    "action": action.order_by("pk").values_list("public_id", flat=True).first(),
}))
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Seeded and served through nginx; yields the base URL, the campaign and an action."""
    var_dir = tmp_path_factory.mktemp("var")
    port, web_port = free_port(), free_port()
    with migrated_site(
        "streetwave_proxy",
        DiscardMail(),
        redis_url=REDIS,
        broker_url=REDIS,
        var_dir=var_dir,
        site_url=f"http://127.0.0.1:{port}",
        # nginx is the one proxy in front: the app takes the address it passes on.
        TRUSTED_PROXY_COUNT="1",
    ) as (env, _database):
        manage(env, "collectstatic", "--noinput", "-v0")
        seeded = json.loads(manage(env, "shell", "-c", SEED).splitlines()[-1])
        with Processes(var_dir / "logs") as processes:
            web = start_gunicorn(processes, "web", "streetwave.wsgi", web_port, env, workers=2)
            start_worker(processes, "live-worker", env, concurrency=1, queues="live")
            proxy = start_nginx(
                processes,
                "nginx",
                port=port,
                web=f"127.0.0.1:{web_port}",
                static=var_dir / "static",
            )
            wait_for_http(f"http://127.0.0.1:{web_port}/healthz", web)
            wait_for_http(f"http://127.0.0.1:{port}/healthz", proxy)
            yield {"base": f"http://127.0.0.1:{port}", **seeded}


class Answer:
    def __init__(self, status: int, headers, body: bytes):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def cache(self) -> str | None:
        return self.headers.get("X-Cache-Status")

    def text(self) -> str:
        if self.headers.get("Content-Encoding") == "gzip":
            return gzip.decompress(self.body).decode()
        return self.body.decode()


def fetch(site, path: str, headers: dict | None = None, data: bytes | None = None) -> Answer:
    request = urllib.request.Request(  # noqa: S310 a loopback http URL
        site["base"] + path, data=data, headers=headers or {}
    )
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=30) as answer:
            return Answer(answer.status, answer.headers, answer.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.headers, error.read())


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


# Served from nginx's copy: a HIT, or the copy a moment past its second while one request
# refreshes it (UPDATING, proxy_cache_use_stale updating), which a test can meet by chance.
FROM_COPY = {"HIT", "UPDATING"}


def twice(site, path: str, headers: dict | None = None) -> tuple[Answer, Answer]:
    return fetch(site, path, headers), fetch(site, path, headers)


def crowd_paths(site) -> list[str]:
    slug = site["slug"]
    return [
        f"/en/c/{slug}/",
        f"/en/c/{slug}/tally/",
        f"/en/c/{slug}/map/",
        f"/en/c/{slug}/map.json",
        f"/en/c/{slug}/wave/",
        f"/en/c/{slug}/wave/fragment/",
        f"/api/v1/campaigns/{slug}/tally",
    ]


def test_the_second_anonymous_read_of_each_public_document_is_a_hit(site):
    for path in crowd_paths(site):
        # When an anonymous reader asks twice in a row
        first, second = twice(site, path, GZIP)

        # Then the second answer comes from nginx's copy of the first
        assert first.status == second.status == 200, path
        assert second.cache in FROM_COPY, path
        if first.cache == "MISS":
            # the very bytes of the first (a page's gzip output is padded differently each time)
            assert second.body == first.body, path
        # and neither sets a cookie: an anonymous reader's copy is anyone's
        assert "Set-Cookie" not in first.headers, path


def test_a_poll_with_the_etag_of_the_current_copy_gets_a_304_from_the_cache(site):
    # Given the tally fragment a campaign page shows, with its ETag
    path = f"/en/c/{site['slug']}/tally/"
    _first, shown = twice(site, path, GZIP)
    assert shown.cache in FROM_COPY

    # When the page polls with that ETag (live.js, every 15 s)
    poll = fetch(site, path, {**GZIP, "If-None-Match": shown.headers["ETag"]})

    # Then nginx answers 304 from its copy, or the app does once the copy changed
    assert poll.status == 304 or poll.headers["ETag"] != shown.headers["ETag"]
    assert poll.cache in {"HIT", "STALE", "UPDATING", "EXPIRED"}


def test_a_signed_in_request_is_never_answered_from_the_cache_nor_kept(site):
    path = f"/en/c/{site['slug']}/"
    twice(site, path, GZIP)

    # When a request carries a session cookie (an organizer's, who may see more)
    signed_in = {**GZIP, "Cookie": "sessionid=organizer-session"}
    first, second = twice(site, path, signed_in)

    # Then nginx passes it by both ways, even with a fresh copy at hand
    assert first.cache == second.cache == "BYPASS"
    # and a request with a notice waiting (messages cookie) too
    assert fetch(site, path, {**GZIP, "Cookie": "messages=notice"}).cache == "BYPASS"
    # while anonymous readers keep their copy
    assert fetch(site, path, GZIP).cache in FROM_COPY


def test_an_answer_that_sets_a_cookie_is_never_kept(site):
    # Given the action page, whose RSVP form sets the CSRF cookie on a first visit
    path = f"/en/a/{site['action']}/"

    # When two readers without cookies ask for it
    first, second = twice(site, path, GZIP)

    # Then each gets the app's own answer with its own cookie, none kept
    assert first.status == second.status == 200
    assert "csrftoken=" in first.headers["Set-Cookie"]
    assert "csrftoken=" in second.headers["Set-Cookie"]
    assert first.cache == second.cache == "MISS"
    # and a reader with the cookie gets a page whose form token belongs to that cookie: never
    # kept, never served from a copy
    cookie = first.headers["Set-Cookie"].split(";", 1)[0]
    with_cookie = twice(site, path, {**GZIP, "Cookie": cookie})
    assert [answer.cache for answer in with_cookie] == ["BYPASS", "BYPASS"]


@pytest.mark.parametrize(
    "path",
    [
        "/en/manage/",
        "/en/accounts/login/",
        "/en/admin/",
        "/en/hubs/start/",
        "/en/rsvp/a-secret-manage-token/",
        "/en/c/{slug}/reports/",
    ],
)
def test_organizer_pages_secret_links_and_other_pages_are_never_cached(site, path):
    path = path.format(slug=site["slug"])

    # When the same page is asked for twice
    answers = twice(site, path, GZIP)

    # Then the app answers both: nginx keeps no copy of what is not on its list
    assert [answer.cache for answer in answers] == [None, None]


def test_a_search_and_a_post_are_never_cached(site):
    slug = site["slug"]
    # A search of the campaign page names a place (perhaps the reader's own)
    search = twice(site, f"/en/c/{slug}/?q=Paris", GZIP)
    assert [answer.cache for answer in search] == ["BYPASS", "BYPASS"]

    # A POST to a cached address goes to the app, and leaves the copy as it was
    path = f"/api/v1/campaigns/{slug}/tally"
    twice(site, path, GZIP)
    posted = fetch(site, path, {**GZIP, "Content-Type": "application/json"}, data=b"{}")
    assert posted.status == 405
    assert posted.cache is None
    after = fetch(site, path, GZIP)
    assert after.status == 200
    assert after.cache in FROM_COPY


def test_languages_are_kept_apart(site):
    slug = site["slug"]
    en_path, fa_path = f"/en/c/{slug}/tally/", f"/fa/c/{slug}/tally/"
    twice(site, en_path, GZIP)
    twice(site, fa_path, GZIP)

    # When both are served from the cache
    english, persian = fetch(site, en_path, GZIP), fetch(site, fa_path, GZIP)

    # Then each is in its own language
    assert {english.cache, persian.cache} <= FROM_COPY
    assert english.text() != persian.text()
    assert any("\u06f0" <= char <= "\u06f9" for char in persian.text())
    assert not any("\u06f0" <= char <= "\u06f9" for char in english.text())


def test_gzip_and_identity_are_kept_apart(site):
    path = f"/api/v1/campaigns/{site['slug']}/tally"
    twice(site, path, GZIP)
    twice(site, path, {"Accept-Encoding": "identity"})

    # When a browser that takes gzip and a client that does not are both served a copy
    compressed = fetch(site, path, {"Accept-Encoding": "gzip"})
    plain = fetch(site, path, {"Accept-Encoding": "identity"})

    # Then each gets its own encoding (the other Accept-Encoding strings fold into these two)
    assert {compressed.cache, plain.cache} <= FROM_COPY
    assert compressed.headers["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in plain.headers
    assert json.loads(gzip.decompress(compressed.body)) == json.loads(plain.body)


def test_the_tally_through_the_cache_counts_an_rsvp_within_the_budget(site):
    path = f"/api/v1/campaigns/{site['slug']}/tally"

    def counted() -> int:
        tally = json.loads(fetch(site, path, GZIP).text())
        return tally["going"] + tally["waitlisted"]

    before = counted()

    # When a supporter RSVPs
    body = json.dumps({"language": "en", "consent": True}).encode()
    answer = fetch(
        site,
        f"/api/v1/actions/{site['action']}/rsvps",
        {"Content-Type": "application/json"},
        data=body,
    )
    assert answer.status == 201
    assert answer.cache is None
    answered = time.monotonic()

    # Then readers polling through the cache (as a crowd does, several a second) see it within
    # the budget, and never lose it again
    seen = []
    while time.monotonic() - answered < STALENESS_BUDGET_S + 3:
        seen.append((time.monotonic() - answered, counted()))
        time.sleep(0.2)
    late = [(after, count) for after, count in seen if after >= STALENESS_BUDGET_S]
    assert late
    assert all(count == before + 1 for _after, count in late), seen
    first_seen = next(after for after, count in seen if count == before + 1)
    assert all(count == before + 1 for after, count in seen if after >= first_seen), seen
