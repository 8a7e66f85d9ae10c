"""Security and privacy headers that Django's own settings do not cover."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.cache import patch_cache_control

from .hosts import is_onion

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


class OnionMiddleware:
    """The onion service's exceptions to the clear-web name's security headers (docs/deploy.md,
    "Onion service"). The onion is served over plain HTTP: Tor encrypts and authenticates the
    way to it end to end, and an onion has no certificate. So its answers carry no HSTS and
    their cookies no Secure flag, which a browser that does not count an onion as a secure
    origin would refuse to keep (the CSRF cookie, then every form, with it). The clear-web
    name's answers carry an Onion-Location header when the operator allows it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if is_onion(request):
            del response["Strict-Transport-Security"]
            for cookie in response.cookies.values():
                cookie["secure"] = ""
        elif settings.ONION_LOCATION and response.get("Content-Type", "").startswith("text/html"):
            response.setdefault("Onion-Location", settings.ONION_SITE_URL + request.get_full_path())
        return response


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
