"""Fixed-window rate limits in the cache (Redis in production, local memory embedded).

Clients are told apart by a keyed hash of their address, so no raw IP address is ever stored.
Behind a reverse proxy, CLIENT_IP_HEADER names the header that carries the client's address.
"""

import hashlib
import hmac
import time

from django.conf import settings
from django.core.cache import cache

from .errors import RateLimited


def client_fingerprint(request) -> str:
    header = settings.CLIENT_IP_HEADER
    address = request.META.get(header, "") if header else ""
    # The proxy's header may hold a chain; the first entry is the client.
    address = address.split(",")[0].strip() or request.META.get("REMOTE_ADDR", "")
    digest = hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def allow(scope: str, request, *, limit: int, window: int = 60) -> bool:
    """Count one request of this client in `scope`; False once it passed `limit` per window."""
    key = f"ratelimit:{scope}:{client_fingerprint(request)}:{int(time.time() // window)}"
    if cache.add(key, 1, window + 1):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # the window expired between add and incr
        cache.add(key, 1, window + 1)
        return True
    return count <= limit


def limit(scope: str, request, *, limit: int, window: int = 60) -> None:
    """Raise RateLimited (a 429 with a translated message) when the client is over `limit`."""
    if not allow(scope, request, limit=limit, window=window):
        raise RateLimited()
