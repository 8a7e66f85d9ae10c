"""GET /healthz: is this web process able to serve? Checks the database, the cache and the
broker (when one is configured), and names the part that fails."""

import logging

from django.conf import settings
from django.core.cache import cache, caches
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from streetwave.celery import app

from .redis_cache import ReusedClientRedisCache

log = logging.getLogger(__name__)


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache() -> None:
    backend = caches["default"]
    if isinstance(backend, ReusedClientRedisCache):
        # Redis itself: its stand-in keeps requests answered, not the instance healthy.
        backend.ping()
        return
    cache.set("healthz", "ok", 10)
    if cache.get("healthz") != "ok":
        raise RuntimeError("cache did not return what was stored")


def check_broker() -> None:
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


CHECKS = {"database": check_database, "cache": check_cache}


def run_checks() -> dict[str, bool]:
    """Each check, passed or not: the broker only when one is configured (the file-system
    broker of the embedded default is a directory, not a service). The operator's console
    shows these too."""
    checks = dict(CHECKS)
    if not settings.CELERY_BROKER_URL.startswith("filesystem://"):
        checks["broker"] = check_broker
    passed = {}
    for name, check in checks.items():
        try:
            check()
        except Exception as exc:  # any failure of a dependency is an answer, never a 500
            log.warning("health check %s failed: %s", name, type(exc).__name__)
            passed[name] = False
        else:
            passed[name] = True
    return passed


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    passed = run_checks()
    body = {name: "ok" if ok else "failing" for name, ok in passed.items()}
    status = "ok" if all(passed.values()) else "failing"
    return JsonResponse({"status": status, **body}, status=200 if status == "ok" else 503)
