"""Canaries: markers that must never show where they should not (THREATS.md).

The world's action has an RSVP with the pseudonym CANARY-PSEUDONYM-7Q and the address
canary-7q@example.org, and the private meeting point CANARY-MEETING-7Q. Every URL of the
permission matrix (pages, API, calendar feeds, map data, wave and tally fragments) is fetched
as people outside the hub: no marker may appear in a body, a header or a cookie. Nor may the
address of a hub's applicant, the new place of a late change before a second organizer
confirms it, nor the names and addresses of hub A's people (the hub graph).
The hub's own people see the pseudonym on the attendee list, never the address. Mail shows an
address only to its owner, in To.
"""

import re

import pytest
from django.core import mail

from .conftest import (
    APPLICANT_EMAIL,
    CANARIES,
    CANARY_EMAIL,
    CANARY_MEETING_POINT,
    CANARY_PSEUDONYM,
    HELD_PLACE,
    SUPPORTERS_WITH_EMAIL,
)
from .test_permission_matrix import EXTRA_ROWS, ROWS, build, request

pytestmark = pytest.mark.django_db

# People outside the hub: the public, an account with no role, a member of the hub (no
# attendee list), an organizer of another hub, the campaign's coordinator (counts, never people).
OUTSIDERS = ("anonymous", "no_role", "member_a", "organizer_b", "coordinator")
# The hub's own people, who see pseudonyms (and the meeting point), never addresses.
HUB_PEOPLE = ("safety_lead_a", "organizer_a", "lead_a")
HUB_A = ("member_a", "safety_lead_a", "organizer_a", "organizer_a2", "lead_a")

ALL_ROWS = [(name, "", row) for name, row in ROWS.items()] + [
    (name, label, row) for (name, label), row in EXTRA_ROWS.items()
]
# Reachable addresses the matrix has no row for: searches, other languages, API filters.
MORE_PATHS = [
    "/en/c/{campaign}/?q=Berlin",
    "/en/c/{campaign}/?near=52.52,13.40",
    "/fa/c/{campaign}/",
    "/fa/c/{campaign}/map.json",
    "/fa/c/{campaign}/tally/",
    "/fa/c/{campaign}/wave/fragment/",
    "/fa/a/{action}/",
    "/fa/a/{action}/calendar.ics",
    "/fa/h/{hub_a}/",
    "/api/v1/actions?campaign={campaign}",
    "/api/v1/actions?near=52.52,13.40",
    "/api/v1/actions?country=DE",
]


def _case_id(name, label):
    return f"{name}[{label}]" if label else name


def everything_in(response) -> str:
    """Body, headers and cookies of a response, as text."""
    body = (
        b"".join(response.streaming_content) if response.streaming else response.content
    ).decode("utf-8", "replace")
    headers = "\n".join(f"{key}: {value}" for key, value in response.items())
    return "\n".join([body, headers, response.cookies.output()])


def leaks(text: str, markers) -> list[str]:
    return [marker for marker in markers if marker in text]


def hidden_from_outsider(world, role) -> list[str]:
    """The canaries, the applicant's address, the place of a change still held for a second
    organizer, and the names and addresses of hub A's people but `role`'s own."""
    people = [world.users[other] for other in HUB_A if other != role]
    return [
        *CANARIES,
        APPLICANT_EMAIL,
        HELD_PLACE,
        *(person.email for person in people),
        *(person.display_name for person in people),
    ]


def assert_mail_keeps_addresses_private(world, messages) -> None:
    """A private address (a supporter's, an applicant's, an organizer's) is in the To of mails
    to that address alone, and nowhere else: in no other header of those, in no part of a mail
    to anyone else. So a relayed message shows neither the supporter to the organizer nor the
    organizer to the supporter."""
    addresses = [CANARY_EMAIL, APPLICANT_EMAIL, *(world.users[role].email for role in HUB_A)]
    for message in messages:
        for address in addresses:
            if message.recipients() == [address]:
                assert message.to == [address], message.subject
                headers = "\n".join(
                    f"{key}: {value}" for key, value in message.message().items() if key != "To"
                )
                assert not _names(address, headers), (address, message.subject)
            else:
                text = message.message().as_string()
                assert not _names(address, text), (address, message.recipients(), message.subject)


def _names(address: str, text: str) -> bool:
    """Whether `text` holds `address` itself, not a longer one that ends with it (the safety
    lead's address ends with the lead's)."""
    return re.search(r"(?<![\w.+-])" + re.escape(address), text) is not None


def _fetch(world, role, name, row, django_capture_on_commit_callbacks):
    path, data = build(row, name, world.ids)
    mail.outbox = []
    # Mail goes out after commit: run those callbacks, so that a mail a request sends is seen.
    with django_capture_on_commit_callbacks(execute=True):
        response = request(world.client(role), row, path, data)
    assert response.status_code < 500, (path, role, response.status_code)
    return path, response, list(mail.outbox)


@pytest.mark.parametrize("role", OUTSIDERS)
@pytest.mark.parametrize(
    ("name", "row"),
    [pytest.param(name, row, id=_case_id(name, label)) for name, label, row in ALL_ROWS],
)
def test_no_answer_shows_a_canary_to_anyone_outside_the_hub(
    world, django_capture_on_commit_callbacks, name, row, role
):
    path, response, sent = _fetch(world, role, name, row, django_capture_on_commit_callbacks)

    found = leaks(everything_in(response), hidden_from_outsider(world, role))
    assert not found, f"{path} shows {found} to {role}"
    assert_mail_keeps_addresses_private(world, sent)


@pytest.mark.parametrize("role", OUTSIDERS)
@pytest.mark.parametrize("path", MORE_PATHS)
def test_no_search_language_or_filter_shows_a_canary(world, path, role):
    url = path.format(**world.ids)

    response = world.client(role).get(url)

    assert response.status_code == 200, (url, response.status_code)
    found = leaks(everything_in(response), hidden_from_outsider(world, role))
    assert not found, f"{url} shows {found} to {role}"


@pytest.mark.parametrize("role", HUB_PEOPLE)
@pytest.mark.parametrize(
    ("name", "row"),
    [pytest.param(name, row, id=_case_id(name, label)) for name, label, row in ALL_ROWS],
)
def test_no_answer_shows_the_canary_address_to_the_hub_either(
    world, django_capture_on_commit_callbacks, name, row, role
):
    path, response, sent = _fetch(world, role, name, row, django_capture_on_commit_callbacks)

    found = leaks(everything_in(response), [CANARY_EMAIL, APPLICANT_EMAIL])
    assert not found, f"{path} shows {found} to {role}"
    assert_mail_keeps_addresses_private(world, sent)


@pytest.mark.parametrize("role", HUB_PEOPLE)
def test_the_attendee_list_shows_the_pseudonym_and_never_the_address(world, role):
    response = world.client(role).get(f"/en/manage/actions/{world.ids['action']}/attendees/")

    assert response.status_code == 200
    text = everything_in(response)
    assert CANARY_PSEUDONYM in text
    assert CANARY_EMAIL not in text


def test_the_export_has_the_pseudonym_and_never_the_address(world):
    client = world.client("organizer_a")

    response = client.post(f"/en/manage/exports/{world.ids['ready_export']}/download/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = everything_in(response)
    assert CANARY_PSEUDONYM in text
    assert CANARY_EMAIL not in text


def test_the_meeting_point_and_the_held_change_are_shown_to_the_hubs_organizers(world):
    # The other side of "no outsider's answer shows them": the markers are there to be found.
    response = world.client("organizer_a").get(f"/en/manage/actions/{world.ids['action']}/")

    text = everything_in(response)
    assert CANARY_MEETING_POINT in text
    assert HELD_PLACE in text


def test_the_mail_of_the_world_shows_the_address_to_the_supporter_alone(world):
    to_canary = [message for message in world.mails if CANARY_EMAIL in message.to]
    # The manage link and the relayed message reached the canary; each supporter got their own.
    assert len(to_canary) == 2
    assert len(world.mails) >= SUPPORTERS_WITH_EMAIL + len(to_canary)

    assert_mail_keeps_addresses_private(world, world.mails)


def test_a_relayed_message_reaches_every_supporter_without_showing_the_canary(
    world, django_capture_on_commit_callbacks
):
    # A second organizer releases the held message to everyone: 51 mails, one each.
    client = world.client("organizer_a")
    mail.outbox = []

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/en/manage/messages/{world.ids['message']}/approve/")

    assert response.status_code == 302
    assert len(mail.outbox) == SUPPORTERS_WITH_EMAIL + 1
    assert all(len(message.recipients()) == 1 for message in mail.outbox)
    assert_mail_keeps_addresses_private(world, mail.outbox)
