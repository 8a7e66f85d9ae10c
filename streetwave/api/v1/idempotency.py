"""The Idempotency-Key header: a client that lost an answer (a dropped connection on a crowded
square) sends the same request again with the same key and gets the first answer back, and
nothing is created twice.

Keys live in the cache (Redis in production, files under var/ in the embedded default), under an
HMAC of (scope, key), for KEY_TTL seconds. `cache.add` claims a key atomically in both
backends, so of two identical requests racing, exactly one runs.

Decisions:
- A second request while the first still runs gets 409 with a Retry-After header at once,
  rather than waiting: a worker held waiting is a worker the spike cannot use.
- Only a success is remembered. A failed request created nothing, so it releases its key and
  the client may retry with the same key.
- The same key with a different body is a client bug; it gets 400 rather than the answer to
  the other body.
- The remembered answer can hold a manage link (an RSVP without email): it stays in the cache
  for KEY_TTL seconds, so keys must be unguessable (a random UUID). That is why a key must
  be at least 16 characters long, and why the answer is tied to a fingerprint of the body.
"""

import json
import re
from collections.abc import Callable

from django.core.cache import cache
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from streetwave.core.errors import Conflict

from .errors import InvalidInput

HEADER = "Idempotency-Key"
KEY_TTL = 60 * 60
# How long a claim without an answer blocks its key: longer than any request takes, short
# enough that a crashed worker does not lock the client out for the hour.
IN_FLIGHT_TTL = 60
KEY_PATTERN = re.compile(r"[\x21-\x7e]{16,255}")


class RequestInFlight(Conflict):
    default_message = _(
        "A request with this Idempotency-Key is still being processed. Send it again in a "
        "moment to get its answer."
    )
    retry_after = 1


def body_fingerprint(body: dict) -> str:
    # Keyed, because the body can hold an email address and the cache is a copy outside
    # the database.
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return salted_hmac(
        "streetwave.api.v1.idempotency.body", canonical, algorithm="sha256"
    ).hexdigest()


def run_once(
    scope: str, key: str | None, fingerprint: str, produce: Callable[[], tuple[int, dict]]
) -> tuple[int, dict]:
    """Run `produce` once per (scope, key); return its (status, body) to every retry."""
    if key is None:
        return produce()
    if not KEY_PATTERN.fullmatch(key):
        raise InvalidInput(
            {
                HEADER: [
                    _(
                        "The Idempotency-Key header must be 16 to 255 visible ASCII characters, "
                        "such as a random UUID."
                    )
                ]
            }
        )
    digest = salted_hmac("streetwave.api.v1.idempotency.key", f"{scope}\n{key}", algorithm="sha256")
    cache_key = f"api:v1:idempotency:{digest.hexdigest()}"
    if not cache.add(cache_key, {"fingerprint": fingerprint, "answer": None}, IN_FLIGHT_TTL):
        return _replay(cache.get(cache_key), fingerprint)
    try:
        status, body = produce()
    except BaseException:
        cache.delete(cache_key)
        raise
    cache.set(cache_key, {"fingerprint": fingerprint, "answer": [status, body]}, KEY_TTL)
    return status, body


def _replay(stored: dict | None, fingerprint: str) -> tuple[int, dict]:
    if stored is not None and stored["fingerprint"] != fingerprint:
        raise InvalidInput(
            {HEADER: [_("This Idempotency-Key was used for a different request. Use a new key.")]}
        )
    # None: the claim expired between our add and get; the client retries like any in-flight.
    if stored is None or stored["answer"] is None:
        raise RequestInFlight()
    status, body = stored["answer"]
    return status, body
