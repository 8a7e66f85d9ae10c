"""Browser tests: Playwright for Python drives Debian's Chromium (/usr/bin/chromium, never a
downloaded browser) against a live server holding a demo-sized campaign.

The server serves static files as production does: collected with the manifest storage,
precompressed, by WhiteNoise; pages are compressed by GZipMiddleware. So the bytes counted here
are the bytes a visitor transfers. Every request to another origin is blocked and counted, and
a test fails if there is one.
"""

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.management import call_command
from django.test.utils import override_settings

from streetwave.tests import browsing
from streetwave.tests.browsing import totp

VIEWPORT = {"width": 1280, "height": 900}


def pytest_terminal_summary(terminalreporter):
    browsing.summarize(terminalreporter)


@pytest.fixture(autouse=True)
def _plain_static_storage():
    """Replaces the root conftest's fixture of that name: here the manifest storage of
    `static_root` stays in force, as in production."""


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    return browsing.collected_static(tmp_path_factory)


@dataclass
class Demo:
    slug: str
    # A published action that has not ended: the RSVP loop runs on it.
    open_action: str
    # Its country's code, as the country's page of the campaign names it.
    open_action_country: str
    # The private link of the one RSVP the demo makes the real way (language prefix "/en/").
    manage_path: str
    # (email, password, TOTP secret, role) of the demo coordinator, then of the hub leads.
    organizers: list[tuple[str, str, str, str]]


@dataclass
class Site(Demo):
    url: str


@pytest.fixture(scope="session")
def chromium():
    return browsing.chromium()


@pytest.fixture(scope="package")
def demo(chromium, static_root, django_db_setup, django_db_blocker):
    """The demo campaign of today (600 actions, as `manage.py demo`, fewer RSVPs), built once
    for the package; the database is emptied again afterwards. The collected static files stay
    in force meanwhile."""
    from streetwave.actions.models import Action
    from streetwave.demo.world import CITIES, DemoSize, build_demo
    from streetwave.places.services import load_places

    root, storages = static_root
    with django_db_blocker.unblock(), override_settings(STATIC_ROOT=root, STORAGES=storages):
        load_places(countries=sorted({code for code, *_rest in CITIES}), min_population=100_000)
        day = dt.datetime.now(dt.UTC).date()
        summary = build_demo(
            DemoSize(cities=150, hubs=200, actions=600, rsvps=3_000), seed=1, day=day
        )
        action = (
            Action.objects.filter(
                campaign=summary.campaign,
                status=Action.Status.PUBLISHED,
                ends_at__gt=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1),
                capacity__isnull=True,
            )
            .order_by("starts_at")
            .first()
        )
        assert action is not None, "the demo day has no action left to RSVP to"
        assert summary.manage_path and summary.organizers, "a development instance (STREETWAVE_DEV)"
        yield Demo(
            slug=summary.campaign.slug,
            open_action=action.public_id,
            open_action_country=action.city.country.code.lower(),
            manage_path=summary.manage_path,
            organizers=summary.organizers,
        )
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(scope="package")
def browser(chromium, demo):
    with browsing.launched_browser() as launched:
        yield launched


@pytest.fixture(scope="package")
def site(browser, demo, django_db_blocker):
    """A live server for the demo. It starts once Playwright runs (browsing.live_server says
    why)."""
    with django_db_blocker.unblock(), browsing.live_server() as url:
        yield Site(url=url, **vars(demo))


def _sign_in(browser, site, organizer) -> dict:
    """Sign in through the pages a person uses (password, then the authenticator's code), and
    hand back the browser state that keeps the session."""
    email, password, secret, _role = organizer
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{site.url}/en/accounts/login/")
        page.fill("input[name=login]", email)
        page.fill("input[name=password]", password)
        page.locator("main form[method=post] button[type=submit]").first.click()
        page.wait_for_url("**/2fa/authenticate/")
        for _attempt in range(2):
            page.fill("input[name=code]", totp(secret))
            with page.expect_navigation():
                page.locator("main form[method=post] button[type=submit]").first.click()
            if "/2fa/authenticate/" not in page.url:
                break
            # The code's 30 seconds ran out on the way to the server: the next one.
            time.sleep(30.5 - time.time() % 30)
        page.wait_for_url(lambda url: "/accounts/" not in url)
        return context.storage_state()
    finally:
        context.close()


@pytest.fixture(scope="package")
def states(browser, site, django_db_blocker) -> dict[str, dict]:
    """Browser states of a visitor and of three organizers signed in through the pages, once for
    the package (the authenticator refuses a code used twice). Made outside any test: a test's
    settings hash passwords faster than the demo's accounts were."""
    coordinator, lead, other_lead = site.organizers[:3]
    with django_db_blocker.unblock():
        return {
            "anonymous": {"cookies": [], "origins": []},
            "lead": _sign_in(browser, site, lead),
            "coordinator": _sign_in(browser, site, coordinator),
            # for signing out, so that the others' sessions live on
            "other lead": _sign_in(browser, site, other_lead),
        }


@dataclass
class Visit:
    """A browser context whose every request to another origin is blocked and recorded."""

    page: Any  # playwright.sync_api.Page
    site: Site
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    transferred: dict[str, int] = field(default_factory=dict)

    def go(self, path: str, **options):
        return self.page.goto(self.site.url + path, **options)


@pytest.fixture
def visit(browser, site):
    """visit(**context options) -> a Visit; after the test, nothing may have been blocked and
    the pages may have logged no error (a CSP violation is one)."""
    contexts, opened = [], []

    def open_visit(**options):
        context = browser.new_context(**{"viewport": VIEWPORT, **options})
        contexts.append(context)
        page = context.new_page()
        # Everything here answers in well under a second; a stuck test should fail quickly.
        page.set_default_timeout(10_000)
        visit = Visit(page=page, site=site)
        browsing.guard(context, page, blocked=visit.blocked, errors=visit.errors)

        def finished(request):
            sizes = request.sizes()
            visit.transferred[request.url] = (
                sizes["responseBodySize"] + sizes["responseHeadersSize"]
            )

        page.on("requestfinished", finished)
        opened.append(visit)
        return visit

    yield open_visit
    for context in contexts:
        context.close()
    for each in opened:
        assert each.blocked == [], f"requests to other origins: {each.blocked}"
        assert each.errors == [], f"errors in the browser console: {each.errors}"


@pytest.fixture(scope="session")
def screenshots():
    return browsing.screenshot_folder()
