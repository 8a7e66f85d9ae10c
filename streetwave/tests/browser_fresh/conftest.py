"""Browser tests that start from an empty database: no demo, only a few countries' places, and
whatever the people in the test make through the pages. The data is committed
(`transactional_db`), so the live server sees it on SQLite and on PostgreSQL alike, and the
database is emptied after each test.

The live server, Chromium, the guard against other origins and the screenshot folder are the
ones every browser test uses (streetwave/tests/browsing.py)."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test.utils import override_settings

from streetwave.tests import browsing

# (step, seconds) of the tests that time their steps, printed after the run.
STEP_TIMES: list[tuple[str, float]] = []


def pytest_terminal_summary(terminalreporter):
    browsing.summarize(terminalreporter)
    if STEP_TIMES:
        width = max(len(step) for step, _seconds in STEP_TIMES)
        terminalreporter.write_line("A campaign from nothing, step by step:")
        for step, seconds in STEP_TIMES:
            terminalreporter.write_line(f"  {step:<{width}}  {seconds:6.1f} s")
        total = sum(seconds for _step, seconds in STEP_TIMES)
        terminalreporter.write_line(f"  {'total':<{width}}  {total:6.1f} s")


@pytest.fixture(autouse=True)
def _plain_static_storage():
    """Replaces the root conftest's fixture of that name: the manifest storage of the collected
    files stays in force, as in production."""


@pytest.fixture
def browser():
    with browsing.launched_browser() as launched:
        yield launched


@pytest.fixture
def site(transactional_db, tmp_path_factory, browser) -> Iterator[str]:
    """The live server's address; it starts after Chromium (browsing.live_server says why)."""
    root, storages = browsing.collected_static(tmp_path_factory)
    with override_settings(STATIC_ROOT=root, STORAGES=storages), browsing.live_server() as url:
        yield url


@pytest.fixture
def screenshots():
    return browsing.screenshot_folder()


@dataclass
class Person:
    """One person's browser context on the live server: requests to other origins are blocked,
    and script errors recorded; both must stay empty."""

    context: Any  # playwright.sync_api.BrowserContext
    page: Any  # playwright.sync_api.Page
    url: str
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def go(self, path: str, **options):
        return self.page.goto(self.url + path, **options)


@pytest.fixture
def person(browser, site):
    """person() -> a Person with a fresh browser context (no cookies): everyone in the test has
    their own, as they would have their own browser."""
    people: list[Person] = []

    def open_context(**options) -> Person:
        context = browser.new_context(**{"viewport": {"width": 1280, "height": 900}, **options})
        page = context.new_page()
        page.set_default_timeout(15_000)
        someone = Person(context=context, page=page, url=site)
        browsing.guard(context, page, blocked=someone.blocked, errors=someone.errors)
        people.append(someone)
        return someone

    yield open_context
    for someone in people:
        someone.context.close()
    for someone in people:
        assert someone.blocked == [], f"requests to other origins: {someone.blocked}"
        assert someone.errors == [], f"errors in the browser console: {someone.errors}"
