"""Links in what organizers write to many people: only to the site itself and the hosts the
campaign allows. A phishing link ("confirm your RSVP here") in a message that reaches hundreds
of supporters or every hub is the cheapest attack on the broadcast channel."""

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import ngettext

from streetwave.core.i18n import join_words

# Anything a mail program would turn into a link: with a scheme, from "www.", or a bare
# domain name (with or without a path), but not the domain of an email address.
LINK = re.compile(
    r"(?:[a-z][a-z0-9+.-]*://|www\.)[^\s<>\"']+"
    r"|(?<![@\w.-])(?:[\w-]+\.)+[a-z]{2,24}\b(?:/[^\s<>\"']*)?",
    re.IGNORECASE,
)


def _host(link: str) -> str:
    if "://" not in link:
        link = "//" + link
    return (urlsplit(link).hostname or "").lower().rstrip(".")


def _allowed(host: str, allowlist: Iterable[str]) -> bool:
    own = _host(settings.SITE_URL)
    return any(host == allowed or host.endswith("." + allowed) for allowed in [own, *allowlist])


def disallowed_links(text: str, allowlist: Iterable[str] = ()) -> list[str]:
    """The links in `text` that point anywhere but the site and `allowlist`."""
    allowlist = [entry.lower().strip().rstrip(".") for entry in allowlist if entry.strip()]
    links = [link.rstrip(".,;:!?") for link in LINK.findall(text)]
    return [link for link in links if not _allowed(_host(link), allowlist)]


def validate_links(text: str, allowlist: Iterable[str] = ()) -> None:
    """ValidationError naming the links that are not allowed."""
    bad = disallowed_links(text, allowlist)
    if bad:
        raise ValidationError(
            ngettext(
                "This link is not allowed: %(links)s. Messages may link only to this site and "
                "to the sites the campaign allows.",
                "These links are not allowed: %(links)s. Messages may link only to this site and "
                "to the sites the campaign allows.",
                len(bad),
            ),
            params={"links": join_words(bad)},
            code="link_not_allowed",
        )
