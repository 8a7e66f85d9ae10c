"""The link check of the outbox: what organizers write to many people may link only to the site
itself and to the hosts a campaign allows."""

import pytest
from django.core.exceptions import ValidationError

from streetwave.outbox.links import disallowed_links, validate_links

ALLOWLIST = ["example.org"]


@pytest.mark.parametrize(
    "text",
    [
        "Read https://example.org/call before Saturday.",
        "See www.example.org.",
        "Details: news.example.org/day-of-action",
        "Our page: http://127.0.0.1:8000/en/c/streets/",
        "Write to us at press@evil.example.net",  # an address, not a link
        "Meet at 18.30 by the fountain. Bring water, e.g. 1.5 litres.",
        "بیایید: https://example.org/fa/",
    ],
)
def test_links_to_the_site_and_allowed_hosts_pass(settings, text):
    settings.SITE_URL = "http://127.0.0.1:8000"

    validate_links(text, ALLOWLIST)

    assert disallowed_links(text, ALLOWLIST) == []


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ("Confirm your RSVP at https://evil.example.net/rsvp", "https://evil.example.net/rsvp"),
        ("Look-alike: https://example.org.evil.net/x", "https://example.org.evil.net/x"),
        ("Not a subdomain: https://badexample.org", "https://badexample.org"),
        ("Bare: evil.example.net/login.", "evil.example.net/login"),
        ("From www: www.evil.example.net", "www.evil.example.net"),
        ("Other schemes too: ftp://evil.example.net/f", "ftp://evil.example.net/f"),
        ("Case: HTTPS://EVIL.EXAMPLE.NET", "HTTPS://EVIL.EXAMPLE.NET"),
    ],
)
def test_any_other_link_is_named_and_refused(text, bad):
    assert disallowed_links(text, ALLOWLIST) == [bad]
    with pytest.raises(ValidationError) as caught:
        validate_links(text, ALLOWLIST)
    assert bad in caught.value.messages[0]


def test_the_allowlist_allows_subdomains_of_each_host():
    assert disallowed_links("https://a.b.example.org/", ["example.org"]) == []
    assert disallowed_links("https://example.org/", ["news.example.org"]) == [
        "https://example.org/"
    ]
