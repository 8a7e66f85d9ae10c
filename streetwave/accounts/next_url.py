"""Where the account pages may send someone once they are through: back to this site only.

A phishing mail can carry a real sign-in link whose `next` names a look-alike site; the organizer
signs in on the real page and is then handed over, trusting what comes next. Every `next` or
"continue" link the account code reads or stores passes through `safe_next_url`. (allauth's own
pages check the `next` they are given themselves, through the account adapter.)
"""

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next_url(request: HttpRequest, url: str | None, *, fallback: str) -> str:
    """`url` if it leads to the host of this request, over HTTPS when this request came over
    HTTPS; `fallback` otherwise."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return fallback
