"""Fixed-window rate limits in the cache (Redis in production, files under var/ embedded).

Clients are told apart by a keyed hash of their network, so no raw IP address is ever stored
(privacy rule 9). Behind TRUSTED_PROXY_COUNT reverse proxies, the client's address is read from
X-Forwarded-For; otherwise it is the peer address.
"""

import hashlib
import hmac
import ipaddress
import time

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.http import HttpRequest

from .errors import RateLimited
from .redis_cache import UNREACHABLE, ReusedClientRedisCache

# The addresses by which Tor names each circuit to an onion service
# (HiddenServiceExportCircuitID: deploy/torrc.example). One circuit is one client; as a /64,
# every visitor of the onion would be one household.
TOR_CIRCUITS = ipaddress.ip_network("fc00:dead:beef:4dad::/64")


def client_address(request: HttpRequest) -> str:
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        # Each trusted proxy appends the address it saw; entries further left can be forged.
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if len(hops) >= proxies and hops[-proxies]:
            return str(hops[-proxies])
    return str(request.META.get("REMOTE_ADDR", ""))


def pseudonymous_address(address: str) -> str:
    """A keyed hash of the client's network: IPv6 clients count per /64, as one household, but
    a Tor circuit on its own."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        network = address
    else:
        prefix = 32 if parsed.version == 4 else 128 if parsed in TOR_CIRCUITS else 64
        network = str(ipaddress.ip_network(f"{parsed}/{prefix}", strict=False))
    digest = hmac.new(settings.SECRET_KEY.encode("utf-8"), network.encode("utf-8"), hashlib.sha256)
    return f"addr-{digest.hexdigest()[:32]}"


def client_fingerprint(request: HttpRequest) -> str:
    return pseudonymous_address(client_address(request))


def _count(key: str, window: int) -> int:
    """Add one to the counter `key` that lives for a window; returns the new count. While Redis
    does not answer, each process counts on its own (core.redis_cache)."""
    backend = caches["default"]
    if not isinstance(backend, ReusedClientRedisCache):
        return _count_in(backend, key, window)
    try:
        # One round trip instead of Django's add, exists and incr: this runs on every RSVP.
        redis_key = backend.make_and_validate_key(key)
        pipeline = backend._cache.get_client(redis_key, write=True).pipeline()
        pipeline.set(redis_key, 0, ex=window + 1, nx=True)
        pipeline.incr(redis_key)
        _, count = pipeline.execute()
        return int(count)
    except UNREACHABLE as error:
        backend.unreachable(error)
        return _count_in(backend.fallback, key, window)


def _count_in(backend: BaseCache, key: str, window: int) -> int:
    if backend.add(key, 1, window + 1):
        return 1
    try:
        return backend.incr(key)
    except ValueError:  # the window expired between add and incr
        backend.add(key, 1, window + 1)
        return 1


def allow(scope: str, request: HttpRequest, *, limit: int, window: int = 60) -> bool:
    """Count one request of this client in `scope`; False once it passed `limit` per window."""
    key = f"ratelimit:{scope}:{client_fingerprint(request)}:{int(time.time() // window)}"
    return _count(key, window) <= limit


def allow_key(scope: str, key: str, *, limit: int, window: int = 60) -> bool:
    """Count one request in `scope` for `key` (already keyed and hashed by the caller, like a
    blind index: never a raw address); False once it passed `limit` per window."""
    return _count(f"ratelimit:{scope}:{key}:{int(time.time() // window)}", window) <= limit


def limit(scope: str, request: HttpRequest, *, limit: int, window: int = 60) -> None:
    """Raise RateLimited (a 429 with a translated message) when the client is over `limit`."""
    if not allow(scope, request, limit=limit, window=window):
        raise RateLimited()
