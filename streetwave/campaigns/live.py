"""Live documents: the map data and the tally and wave fragments a watching crowd polls.

Each is cached per campaign and language and rebuilt by a worker once a reader finds it older
than LIVE_REFRESH_AGE (core.cache), and served with an ETag and a Last-Modified, so that a
browser polling an unchanged document gets a 304 and a cache hit costs no database query at all
(the key needs only the slug and the language). A document is compressed once, when it is
built, and served compressed as it is to every browser that accepts gzip: a map of 10,000
actions is 3 MB of JSON, which no request should compress again.

Every document says which actions are upcoming, happening now or ended (the map's phases, the
wave's now/next/done, the tally's summary of the wave), and that changes when an action starts
or ends, not only when someone RSVPs. So a document carries `changes_at`, the next start or end
of any of the campaign's actions after it was built (or the moment an action filed after the
fact inside a high-risk country becomes public), and core.cache treats it as out of date
from then on whatever its age: the first reader after that moment asks for the next copy, and a
copy left unread past it is built again before it is served. Rebuilding at those moments,
rather than computing the phase where each document is read, keeps a cache hit free of any
query and any rendering, and costs one small aggregate query per build. The map also carries
each action's times, so that a page open for a while keeps the phase right on its own.
"""

import datetime as dt
import gzip
import hashlib
import re
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Min, Q
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date

from streetwave.actions.models import Action, next_inside_publication
from streetwave.core.cache import get_cached

from .access import get_public_campaign
from .map import render_map
from .models import Campaign
from .queries import public_action_rows
from .tally import compute_tally
from .wave import build_wave

# A reader who finds a document this many seconds old asks for the next one; with the worker's
# build, what readers see stays within the 15 s of DESIGN, "Performance".
LIVE_REFRESH_AGE = 10
# Bump when the shape of a document changes, so old cached copies are not served.
LIVE_VERSION = 4
# How long the time of the last change is remembered after the document was last built.
_STAMP_TTL = 24 * 3600
HTML = "text/html; charset=utf-8"
_ACCEPTS_GZIP = re.compile(r"\bgzip\b")


@dataclass(frozen=True)
class LiveDocument:
    compressed: bytes  # gzip
    etag: str  # weak: the same content in either encoding
    last_modified: dt.datetime
    content_type: str
    # When an action of the campaign next starts or ends (seconds since the epoch), which
    # changes what the document says; None when every action has ended.
    changes_at: float | None = None

    @property
    def text(self) -> str:
        return gzip.decompress(self.compressed).decode()


def live_key(kind: str, slug: str, language: str) -> str:
    return f"live:{LIVE_VERSION}:{kind}:{slug}:{language}"


def _tally_fragment(campaign: Campaign, language: str) -> bytes:
    # Rendered without the request: one copy serves every reader of this language.
    context = {
        "campaign": campaign,
        "tally": compute_tally(campaign),
        "wave": build_wave(public_action_rows(campaign), timezone.now()),
    }
    return render_to_string("campaigns/_tally.html", context).encode()


def _wave_fragment(campaign: Campaign, language: str) -> bytes:
    wave = build_wave(public_action_rows(campaign), timezone.now())
    return render_to_string("campaigns/_wave.html", {"wave": wave}).encode()


# kind: (builder, content type)
KINDS = {
    "tally": (_tally_fragment, HTML),
    "wave": (_wave_fragment, HTML),
    "map": (render_map, "application/geo+json"),
}


def _next_phase_change(campaign: Campaign, now: dt.datetime) -> float | None:
    """When the next of the campaign's public actions starts or ends after `now`, or the next
    action filed after the fact inside a high-risk country becomes public."""
    bounds = (
        Action.objects.public(now)
        .filter(campaign=campaign)
        .aggregate(
            start=Min("starts_at", filter=Q(starts_at__gt=now)),
            end=Min("ends_at", filter=Q(ends_at__gt=now)),
        )
    )
    published = next_inside_publication(Action.objects.filter(campaign=campaign), now)
    moments = [moment for moment in [*bounds.values(), published] if moment is not None]
    return min(moments).timestamp() if moments else None


def _render(kind: str, campaign: Campaign, language: str) -> tuple[bytes, float | None]:
    build, _content_type = KINDS[kind]
    # Taken before the build: an action that starts meanwhile makes the copy out of date at once.
    changes_at = _next_phase_change(campaign, timezone.now())
    with translation.override(language):
        body = build(campaign, language)
    return body, changes_at


def _etag(body: bytes) -> str:
    return f'W/"{hashlib.sha256(body).hexdigest()[:32]}"'


def build_document(kind: str, slug: str, language: str) -> LiveDocument:
    """The document `kind` of the public campaign `slug` in `language` (Http404 otherwise)."""
    campaign = get_public_campaign(slug)
    body, changes_at = _render(kind, campaign, language)
    content_type = KINDS[kind][1]
    etag = _etag(body)
    # Last-Modified moves only when the content does: a rebuild that yields the same body
    # keeps the time of the last real change, so If-Modified-Since revalidates honestly.
    stamp_key = f"{live_key(kind, slug, language)}:stamp"
    stamp = cache.get(stamp_key)
    if stamp is not None and stamp[0] == etag:
        last_modified = stamp[1]
    else:
        last_modified = timezone.now().replace(microsecond=0)
    cache.set(stamp_key, (etag, last_modified), _STAMP_TTL)
    compressed = gzip.compress(body, compresslevel=6, mtime=0)
    return LiveDocument(compressed, etag, last_modified, content_type, changes_at)


def preview_document(kind: str, campaign: Campaign) -> LiveDocument:
    """The document `kind` of a draft campaign, for those who may preview it: built for this
    request alone, never stored in the cache that public documents share (their key holds only
    the slug and the language, so a stored preview would be served to anyone once the slug
    became public, or left there while it is not)."""
    language = translation.get_language()
    body, changes_at = _render(kind, campaign, language)
    return LiveDocument(
        gzip.compress(body, compresslevel=6, mtime=0),
        _etag(body),
        timezone.now().replace(microsecond=0),
        KINDS[kind][1],
        changes_at,
    )


def document_for(kind: str, campaign: Campaign) -> LiveDocument:
    """The shared cached document of a public campaign, or a preview of a draft's."""
    if campaign.status == Campaign.Status.DRAFT:
        return preview_document(kind, campaign)
    return get_live_document(kind, campaign.slug)


def get_live_document(kind: str, slug: str) -> LiveDocument:
    """The cached document `kind` of campaign `slug` in the active language (Http404 when the
    campaign is not public)."""
    language = translation.get_language()
    return get_cached(
        live_key(kind, slug, language),
        "streetwave.campaigns.live.build_document",
        [kind, slug, language],
        LIVE_REFRESH_AGE,
    )


def live_response(
    request: HttpRequest, document: LiveDocument, *, preview: bool = False
) -> HttpResponse:
    """200 with the document (compressed for a browser that accepts gzip), or 304 when the
    client's copy is current."""
    compressed = bool(_ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")))
    response = HttpResponse(
        document.compressed if compressed else gzip.decompress(document.compressed),
        content_type=document.content_type,
    )
    if compressed:
        response["Content-Encoding"] = "gzip"
    patch_vary_headers(response, ["Accept-Encoding"])
    response["ETag"] = document.etag
    response["Last-Modified"] = http_date(document.last_modified.timestamp())
    # Stored, but revalidated before each use: a poll of an unchanged document is a 304.
    response["Cache-Control"] = "public, no-cache"
    if preview:
        # A draft's preview: no cache anywhere keeps it, in front of the app or in the browser.
        response["Cache-Control"] = "private, no-store"
    conditional = get_conditional_response(
        request,
        etag=document.etag,
        last_modified=int(document.last_modified.timestamp()),
        response=response,
    )
    return conditional or response
