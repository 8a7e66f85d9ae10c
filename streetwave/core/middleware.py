"""Security and privacy headers that Django's own settings do not cover."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

# Only our own origin: no CDN, no fonts or tiles from elsewhere, no inline script, so a page
# works through Tor and leaks no visit to a third party.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(self)")
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response


# Methods that send nothing to keep: the answers to all others may show what was sent.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every answer that shows what only one person may see: the
    answers of a secret link (a URL whose route takes a `token`: RSVP manage links, invitations,
    hub verification, the news links in mails) and the answers to a sent form, which may show
    what was typed into it (an address, a pseudonym). No cache between here and the browser keeps
    them, nor does the browser restore them from its history on a shared or seized device.
    One rule here rather than a header in each view: a new secret link or form is covered
    without anyone having to remember it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = request.resolver_match
        if request.method not in SAFE_METHODS or (match is not None and "token" in match.kwargs):
            patch_cache_control(response, no_store=True)
        return response
