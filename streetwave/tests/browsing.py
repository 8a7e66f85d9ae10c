"""What every package of browser tests shares: Debian's Chromium launched by Playwright for
Python (never a downloaded browser), the static files collected and served as in production, a
live server on loopback, a guard that blocks and records any request to another origin, the
authenticator's current code, and the one screenshot folder.

Each package builds its own world on top (streetwave/tests/browser/: a demo campaign;
streetwave/tests/browser_fresh/: an empty database); a plain module, not a conftest, so that a
session-wide step (emptying the screenshot folder, collectstatic) runs once however many
packages use it.
"""

import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteWrapper
from django.test.testcases import LiveServerThread
from django.test.utils import override_settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOOPBACK = {"127.0.0.1", "localhost", "[::1]", "::1"}
SCREENSHOTS = Path(settings.VAR_DIR) / "screenshots"

# What a session did once: the collected static files, the emptied screenshot folder.
_once: dict[str, Any] = {}


def chromium() -> Path:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium): browser tests skipped")
    return CHROMIUM


def collected_static(tmp_path_factory) -> tuple[Path, dict]:
    """STATIC_ROOT and STORAGES with the manifest storage, collected once per session: pages
    then link the hashed, precompressed files WhiteNoise serves in production."""
    if "static" not in _once:
        root = tmp_path_factory.mktemp("static")
        storages = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
        }
        with override_settings(STATIC_ROOT=root, STORAGES=storages):
            call_command("collectstatic", interactive=False, verbosity=0)
        _once["static"] = (root, storages)
    return _once["static"]


@contextmanager
def launched_browser() -> Iterator[Any]:
    """Chromium, launched by Playwright's sync API (skips the test when it is missing)."""
    from playwright.sync_api import sync_playwright

    executable = chromium()
    # Playwright's sync API keeps an event loop on this thread, and Django refuses database
    # calls where a loop runs. The tests' few queries run while Playwright waits, never
    # concurrently with it.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(executable), args=CHROMIUM_ARGS
            )
            try:
                yield browser
            finally:
                browser.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@contextmanager
def live_server() -> Iterator[str]:
    """A live server on loopback, as pytest-django's live_server but without its static files
    handler: WhiteNoise serves the collected files, compressed, as in production. Start it once
    Playwright runs: while an event loop runs, Django hands this thread other connections than
    before, and on SQLite the server must share the very connection the tests use."""
    shared: dict[str, BaseDatabaseWrapper] = {
        conn.alias: conn
        for conn in connections.all()
        if isinstance(conn, SQLiteWrapper) and conn.is_in_memory_db()
    }
    for conn in shared.values():
        conn.inc_thread_sharing()
    # No static files handler: the handler it would wrap is served as it is.
    unwrapped = cast("type[WSGIHandler]", lambda handler: handler)
    thread = LiveServerThread("127.0.0.1", static_handler=unwrapped, connections_override=shared)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    try:
        yield f"http://127.0.0.1:{thread.port}"
    finally:
        thread.terminate()
        for conn in shared.values():
            conn.dec_thread_sharing()
        # Those connections of the loop's are not closed by anyone else, and PostgreSQL
        # cannot drop the test database while one is open.
        connections.close_all()


def guard(context, page, *, blocked: list[str], errors: list[str]) -> None:
    """Block every request of `context` to another origin, recording it in `blocked`, and record
    the page's script errors and console errors (a CSP violation is one) in `errors`."""

    def route(route):
        if urlsplit(route.request.url).hostname in LOOPBACK:
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    def console(message):
        if message.type == "error":
            errors.append(message.text)

    context.route("**/*", route)
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    page.on("console", console)


def totp(secret: str) -> str:
    """The code an authenticator app shows now for `secret`."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def screenshot_folder() -> Path:
    """The screenshot folder, emptied by the first package of the session that takes any."""
    if "screenshots" not in _once:
        shutil.rmtree(SCREENSHOTS, ignore_errors=True)
        SCREENSHOTS.mkdir(parents=True)
        _once["screenshots"] = True
    return SCREENSHOTS


def summarize(terminalreporter) -> None:
    """Once per session, after a run that took screenshots: where they are, and the page weights
    the demo's tests measured."""
    if "screenshots" not in _once or "summarized" in _once:
        return
    _once["summarized"] = True
    terminalreporter.write_line(f"Browser screenshots: {SCREENSHOTS}")
    weights = SCREENSHOTS / "page-weights.txt"
    if weights.exists():
        terminalreporter.write(weights.read_text())
