"""One page, one origin (DESIGN, privacy rule 8; docs/privacy.md, "Reach under censorship").

Every public URL of the permission matrix, and the extra addresses of the canary test, is asked
for by an anonymous reader on the clear-web name and on the onion service. No answer may name
another host or load from one: every address in its attributes, CSS, meta refresh, inline JSON,
headers and text is relative or on the host it was asked for. On the onion, nothing names the
clear-web host; on the clear-web name, nothing names the onion, unless the operator allows the
Onion-Location header, and then only that header does.
"""

from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import override_settings

from .origins import host_of, read
from .test_canaries import MORE_PATHS, everything_in
from .test_permission_matrix import OK, ROWS, build

pytestmark = pytest.mark.django_db

CLEAR = "streetwave.example.org"
ONION = "streetwavexyz2b4c6d3e5f7g2h4i6j3k5l7m2n4o6p3q5r7s2t4u6vw.onion"
HOSTS = override_settings(
    SITE_URL=f"https://{CLEAR}",
    ONION_HOST=ONION,
    ONION_SITE_URL=f"http://{ONION}",
    ALLOWED_HOSTS=[CLEAR, ONION],
    CSRF_TRUSTED_ORIGINS=[f"https://{CLEAR}"],
)
# geo: hands a place to the reader's own map app, which reaches no host for us.
ALLOWED_SCHEMES = {"", "http", "https", "data", "mailto", "geo"}

PUBLIC = sorted(
    name for name, row in ROWS.items() if row.method == "get" and row.expect["anonymous"] == OK
)


def _paths(world) -> list[str]:
    paths = [build(ROWS[name], name, world.ids)[0] for name in PUBLIC]
    return paths + [path.format(**world.ids) for path in MORE_PATHS]


def _get(world, path: str, host: str):
    response = world.client("anonymous").get(path, HTTP_HOST=host, secure=host == CLEAR)
    assert response.status_code < 500, (host, path, response.status_code)
    return response


def off_origin(response, host: str) -> list[str]:
    """What `response` names or loads that is not on `host`."""
    text = everything_in(response)
    wrong = []
    if response["Content-Type"].startswith("text/html"):
        found = read(_body(response))
        for address in [*found.links, *found.loads, *found.refreshes]:
            scheme = urlsplit(address).scheme.lower()
            if scheme not in ALLOWED_SCHEMES or host_of(address) not in (None, host):
                wrong.append(address)
    wrong += [
        address
        for address in read(text).texts
        if host_of(address) not in (None, host) and not address.startswith("//" + host)
    ]
    for header in ("Location", "Content-Location", "Link", "Refresh"):
        if response.has_header(header) and host_of(response[header]) not in (None, host):
            wrong.append(f"{header}: {response[header]}")
    return wrong


def _body(response) -> str:
    return (
        b"".join(response.streaming_content) if response.streaming else response.content
    ).decode("utf-8", "replace")


@pytest.mark.parametrize("host", [CLEAR, ONION])
def test_no_public_page_names_or_loads_another_host(world, host):
    with HOSTS:
        answers = {path: _get(world, path, host) for path in _paths(world)}

    other = ONION if host == CLEAR else CLEAR
    wrong = {path: off_origin(response, host) for path, response in answers.items()}
    assert {path: found for path, found in wrong.items() if found} == {}
    naming_other = [path for path, response in answers.items() if other in everything_in(response)]
    assert naming_other == []
    assert len(answers) >= 40


def test_the_clear_web_names_the_onion_only_in_onion_location_when_allowed(world):
    with HOSTS, override_settings(ONION_LOCATION=True):
        answers = {path: _get(world, path, CLEAR) for path in _paths(world)}

    page = answers[build(ROWS["campaigns:detail"], "campaigns:detail", world.ids)[0]]
    assert (
        page["Onion-Location"]
        == f"http://{ONION}" + build(ROWS["campaigns:detail"], "campaigns:detail", world.ids)[0]
    )
    for path, response in answers.items():
        response.headers.pop("Onion-Location", None)
        assert ONION not in everything_in(response), path


def test_onion_location_is_off_unless_the_operator_allows_it(world):
    path = build(ROWS["campaigns:detail"], "campaigns:detail", world.ids)[0]
    with HOSTS:
        response = _get(world, path, CLEAR)

    assert not response.has_header("Onion-Location")


def test_mails_name_the_clear_web_host_even_when_caused_on_the_onion(
    world, django_capture_on_commit_callbacks
):
    """Mails are read in mail programs, outside Tor Browser: their links use the clear-web
    name, whichever name the reader came by."""
    path = build(ROWS["actions:rsvp"], "actions:rsvp", world.ids)[0]
    form = {"pseudonym": "", "email": "onion-reader@example.org", "language": "en"}
    mail.outbox = []
    with HOSTS, django_capture_on_commit_callbacks(execute=True):
        response = world.client("anonymous").post(path, {**form, "consent": "on"}, HTTP_HOST=ONION)

    assert response.status_code == 303
    assert host_of(response["Location"]) in (None, ONION)
    (sent,) = [message for message in mail.outbox if message.to == [form["email"]]]
    text = sent.message().as_string()
    assert f"https://{CLEAR}/" in text
    assert ONION not in text
