"""Live documents: the map data and the tally and wave fragments a watching crowd polls.

Each is built at most once per LIVE_MAX_AGE seconds per campaign and language, by one request
while the others are served the previous copy (core.cache), and served with an ETag and a
Last-Modified, so that a browser polling an unchanged document gets a 304 and a cache hit costs
no database query at all (the key needs only the slug and the language).
"""

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from streetwave.core.cache import get_fresh_enough

# A tally or map up to this many seconds old is fine (see DESIGN, "Performance").
LIVE_MAX_AGE = 15
# Bump when the shape of a document changes, so old cached copies are not served.
LIVE_VERSION = 1
# How long the time of the last change is remembered after the document was last built.
_STAMP_TTL = 24 * 3600


@dataclass(frozen=True)
class LiveDocument:
    body: bytes
    etag: str
    last_modified: dt.datetime
    content_type: str


def live_key(kind: str, slug: str, language: str) -> str:
    return f"live:{LIVE_VERSION}:{kind}:{slug}:{language}"


def get_live_document(
    kind: str, slug: str, build: Callable[[], bytes], *, content_type: str
) -> LiveDocument:
    """The cached document `kind` of campaign `slug` in the active language, or a fresh one
    from `build()` (which may raise Http404; nothing is cached then)."""
    key = live_key(kind, slug, translation.get_language())

    def rebuild() -> LiveDocument:
        body = build()
        etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
        # Last-Modified moves only when the content does: a rebuild that yields the same body
        # keeps the time of the last real change, so If-Modified-Since revalidates honestly.
        stamp = cache.get(f"{key}:stamp")
        if stamp is not None and stamp[0] == etag:
            last_modified = stamp[1]
        else:
            last_modified = timezone.now().replace(microsecond=0)
        cache.set(f"{key}:stamp", (etag, last_modified), _STAMP_TTL)
        return LiveDocument(body, etag, last_modified, content_type)

    return get_fresh_enough(key, rebuild, LIVE_MAX_AGE)


def live_response(request: HttpRequest, document: LiveDocument) -> HttpResponse:
    """200 with the document, or 304 when the client's copy is current."""
    response = HttpResponse(document.body, content_type=document.content_type)
    response["ETag"] = document.etag
    response["Last-Modified"] = http_date(document.last_modified.timestamp())
    # Stored, but revalidated before each use: a poll of an unchanged document is a 304.
    response["Cache-Control"] = "public, no-cache"
    conditional = get_conditional_response(
        request,
        etag=document.etag,
        last_modified=int(document.last_modified.timestamp()),
        response=response,
    )
    return conditional or response
