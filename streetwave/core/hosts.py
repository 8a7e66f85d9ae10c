"""Which name of the instance a request came by: its clear-web name (`SITE_URL`) or its onion
service (`ONION_HOST`, docs/deploy.md, "Onion service").

A page names only the host it was asked for: a reader on the onion never meets the clear-web
name (a link to it would leave Tor Browser's onion for a host a censor can block or watch), and
a clear-web page never names the onion unless the operator allows it (`ONION_LOCATION`).
Whatever a page builds an absolute address with asks `site_url(request)`.

Mails use the clear-web name whoever caused them: they are read in mail programs, outside Tor
Browser, where an onion address cannot be opened (docs/privacy.md, "Reach under censorship").
"""

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest


def is_onion(request: HttpRequest) -> bool:
    """Whether `request` came by the onion service (not when its host is none of ours: that
    request gets a 400 whatever it asked)."""
    if not settings.ONION_HOST:
        return False
    try:
        return request.get_host() == settings.ONION_HOST
    except DisallowedHost:
        return False


def site_url(request: HttpRequest) -> str:
    """The instance's address (scheme and host, no trailing slash) on the name `request` came
    by."""
    return settings.ONION_SITE_URL if is_onion(request) else settings.SITE_URL
