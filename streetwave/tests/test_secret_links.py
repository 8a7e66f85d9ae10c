"""Secret links: every URL whose route takes a `token` (RSVP manage links, invitations, hub
verification, the news links in mails). Whoever holds one sees what only its owner may see, so
no cache keeps what it answers and no log line carries its token (privacy rule 9), neither the
proxy's access log (deploy/nginx.conf) nor the app's. The list is read from the URLconf: a new
secret link is covered here without a row to add."""

import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter
from django.utils import translation

from streetwave.core.logging import RedactSecretPaths

NGINX_CONF = Path(__file__).resolve().parents[2] / "deploy" / "nginx.conf"

# A token nobody was ever given: enough to reach each view, which answers it with a 404.
SAMPLE_TOKEN = "Sample-token_Rj0Qm3v7yWl2NcKx8sTq5ZbHdFu1GeAo9iPa4XnCk"


def named_patterns() -> Iterator[tuple[str, dict]]:
    """Every named URL pattern of the project but the admin's (Django's own, whose pages are
    regular expressions): its namespaced name and the converters of its whole route."""

    def walk(resolver: URLResolver, namespace: str, converters: dict) -> Iterator[tuple[str, dict]]:
        for entry in resolver.url_patterns:
            route_converters = {**converters, **entry.pattern.converters}
            if isinstance(entry, URLResolver):
                inner = namespace
                if entry.namespace:
                    inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                if inner != "admin":
                    yield from walk(entry, inner, route_converters)
            elif entry.name:
                name = f"{namespace}:{entry.name}" if namespace else entry.name
                yield name, route_converters

    yield from walk(get_resolver(), "", {})


SECRET_LINKS = [name for name, converters in named_patterns() if "token" in converters]


def secret_path(name: str, language: str = "en") -> str:
    with translation.override(language):
        return reverse(name, kwargs={"token": SAMPLE_TOKEN})


def test_the_secret_links_are_found():
    assert set(SECRET_LINKS) >= {
        "actions:manage",
        "hubs:verify",
        "accounts:invitation",
        "broadcasts:unsubscribe",
        "broadcasts:confirm_news",
    }


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("name", SECRET_LINKS)
def test_no_cache_keeps_what_a_secret_link_answers(client, name, method):
    # given a secret link
    path = secret_path(name)

    # when it is opened or its form sent
    response = getattr(client, method)(path)

    # then whatever it answers (here a 404) is kept by no cache and no browser history
    assert response.status_code == 404
    assert "no-store" in response.get("Cache-Control", "")


# -- log lines ----------------------------------------------------------------------------------


def logged_path_map() -> tuple[list[tuple[re.Pattern[str], str]], str]:
    """The `map $uri $streetwave_logged_path` of deploy/nginx.conf: its regular expressions in
    order, each with the value it gives, and the default."""
    block = re.search(
        r"^map \$uri \$streetwave_logged_path \{\n(?P<body>.*?)^\}",
        NGINX_CONF.read_text(),
        re.MULTILINE | re.DOTALL,
    )
    assert block, "deploy/nginx.conf has no map for $streetwave_logged_path"
    entries, default = [], None
    for line in block["body"].splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        key, value = line.rstrip(";").split()
        if key == "default":
            default = value
        else:
            # Case-sensitive expressions only: what this reads is what nginx does.
            assert key.startswith("~") and not key.startswith("~*"), key
            # PCRE's (?<name>...) is Python's (?P<name>...).
            entries.append((re.compile(key[1:].replace("(?<", "(?P<")), value))
    assert default is not None
    return entries, default


def proxy_logged_path(uri: str) -> str:
    """What nginx writes for `uri`: the value of the first expression that matches, its
    `$name` variables replaced by the named groups (empty when a group took no part), or the
    default."""
    entries, value = logged_path_map()
    variables = {"uri": uri}
    for expression, entry_value in entries:
        match = expression.search(uri)
        if match:
            value = entry_value
            variables |= {name: group or "" for name, group in match.groupdict().items()}
            break
    return re.sub(r"\$(\w+)", lambda found: variables[found[1]], value)


def app_logged_path(path: str) -> str:
    """The line Django's request logger writes for a 404 of `path`, through the app's filter."""
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Not Found: %s", (path,), None
    )
    RedactSecretPaths().filter(record)
    return record.getMessage()


def spellings(name: str) -> Iterator[str]:
    """The path of a secret link as it may be asked for: in every language, without a language
    (the app redirects it to one), each with and without its trailing slash (the app redirects
    to add it)."""
    for code, _label in settings.LANGUAGES:
        path = secret_path(name, code)
        for spelled in (path, path.removeprefix(f"/{code}")):
            yield spelled
            yield spelled.rstrip("/")


@pytest.mark.parametrize("name", SECRET_LINKS)
def test_no_log_line_carries_the_token_of_a_secret_link(name):
    for path in spellings(name):
        assert SAMPLE_TOKEN not in proxy_logged_path(path), path
        assert SAMPLE_TOKEN not in app_logged_path(path), path


def test_the_proxy_log_keeps_every_other_path_as_it_is():
    # given a path of every URL that is no secret link, a language's and the API's
    paths = []
    with translation.override("fa"):
        for name, converters in named_patterns():
            if "token" not in converters:
                kwargs = {
                    key: 7 if isinstance(converter, IntConverter) else "Sample-1"
                    for key, converter in converters.items()
                }
                paths.append(reverse(name, kwargs=kwargs))
    assert len(paths) > 50

    # then the proxy's log writes each as it is
    assert [path for path in paths if proxy_logged_path(path) != path] == []
