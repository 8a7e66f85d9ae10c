"""The API keeps the promises of its schema: schemathesis generates requests from
/api/v1/openapi.json and sends them to the WSGI application in this process (no server, no
network), first one operation at a time (its examples, the boundaries of every parameter, then
random requests), then as sequences that follow the schema's links (a list's first item opened,
RSVPed to, its next page asked for). Every check of schemathesis runs on every answer: no 5xx,
every status and body as declared, nothing the schema calls valid refused, nothing it calls
invalid taken.

Bounded and repeatable: a fixed number of examples per operation, a fixed seed and derandomized
generation, no deadline (a shared CI machine is slow at times, which is not a failure of the
API). See docs/api.md, "Schema".
"""

import datetime as dt
from types import SimpleNamespace

import pytest
import schemathesis
from django.core import signing
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig

from streetwave.actions.models import Action
from streetwave.api.v1 import actions, campaigns, hubs, pagination, reportbacks
from streetwave.api.v1.pagination import cursor_after
from streetwave.hubs.models import Membership
from streetwave.reportbacks.services import file_report_back, verify_report_back
from streetwave.wsgi import application

CONFIG = {
    "seed": 20,
    "generation": {"max-examples": 30, "deterministic": True},
    "checks": {"enabled": True},
    "phases": {"stateful": {"max-steps": 8}},
    # The in-process transport hands over the body as the application sent it: ask for it
    # uncompressed, as GZipMiddleware would otherwise compress it for the "gzip" a requests
    # client names by default.
    "headers": {"Accept-Encoding": "identity"},
}

schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json", application, config=SchemathesisConfig.from_dict(CONFIG)
)


# A cursor is signed by the API, so no pattern can say which strings are cursors: the schema
# names a format per list (pagination.cursor_field), and here is how such a value is made, as
# the API makes it, after any row the list could hold.
_public_ids = st.from_regex(r"[a-z2-7]{16}", fullmatch=True)
_times = st.datetimes(timezones=st.just(dt.UTC))
# A hub's name is one line of text (LineField): no control characters, no lone surrogates.
_names = st.text(st.characters(exclude_categories=("Cc", "Cs")), min_size=1, max_size=80)


def _cursors(keyset, **values):
    rows = st.builds(SimpleNamespace, public_id=_public_ids, **values)
    return rows.map(lambda row: cursor_after(keyset, row))


schemathesis.openapi.format("campaigns-cursor", _cursors(campaigns.CAMPAIGNS, starts_at=_times))
schemathesis.openapi.format("actions-cursor", _cursors(actions.BY_TIME, starts_at=_times))
schemathesis.openapi.format("hubs-cursor", _cursors(hubs.HUBS, name=_names))
schemathesis.openapi.format(
    "report-backs-cursor", _cursors(reportbacks.REPORT_BACKS, approved_at=_times)
)


# The world's public ids and campaign slug (see `world`), by the parameter that names them: an
# id drawn at random names nothing, and the answer is a 404 before anything else is read, so
# half the requests drawn name what exists.
KNOWN = {
    "action_id": ["openrallyaaaaaaa", "smallrallyaaaaaa", "cancelledaaaaaaa", "endedaaaaaaaaaaa"],
    "hub_id": ["parishubaaaaaaaa", "berlinhubaaaaaaa"],
    "slug": ["streets"],
    "campaign": ["streets"],
}


@schema.hook
def flatmap_case(context, case):
    named = [
        (part, name)
        for part in ("path_parameters", "query")
        for name in getattr(case, part) or {}
        if name in KNOWN
    ]

    def naming_what_exists(choices):
        for (part, name), value in zip(named, choices, strict=True):
            setattr(case, part, {**getattr(case, part), name: value})
        return case

    if not named:
        return st.just(case)
    choices = st.tuples(*(st.sampled_from(KNOWN[name]) for _part, name in named))
    return st.one_of(st.just(case), choices.map(naming_what_exists))


def _signed(cursor: str) -> bool:
    try:
        signing.loads(cursor, salt=pagination._SALT)
    except signing.BadSignature:
        return False
    return True


@schema.hook
def filter_case(context, case):
    # A cursor continues the list it came from: by time, or by distance with `near` (the
    # parameter's description says so; a schema cannot tie two parameters together). The
    # cursors above are of lists by time, so they are not sent with `near`.
    cursor = (case.query or {}).get("cursor")
    if cursor and "near" in case.query:
        return False
    # Only a value the API signed is a cursor (its format says so, which JSON Schema cannot
    # check): the coverage phase's plain strings for the parameter are not valid requests.
    return not cursor or not isinstance(cursor, str) or _signed(cursor)


@pytest.fixture
def in_process():
    """The WSGI application in the test's transaction, as Django's test client runs it: the
    handler's signals would otherwise close the database connection at the end of each request
    (its autocommit differs inside the transaction), and PostgreSQL would lose the test's rows."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world(in_process, make_action, make_hub, make_city, make_member, hub, campaign):
    """Something behind every operation (with the ids of KNOWN): a live campaign, two hubs (one
    vouched for by the other), actions to come (one with places, one with two, which fill up
    and waitlist), one cancelled, and one that ended with a verified report-back."""
    berlin = make_city("Berlin", lat=52.52, lon=13.405)
    berlin_hub = make_hub("Berlin hub", city=berlin, sponsor=hub)
    for row, public_id in ((hub, "parishubaaaaaaaa"), (berlin_hub, "berlinhubaaaaaaa")):
        type(row).objects.filter(pk=row.pk).update(public_id=public_id)
    make_action(hub, capacity=40, public_id="openrallyaaaaaaa")
    make_action(berlin_hub, capacity=2, public_id="smallrallyaaaaaa")
    make_action(hub, days=3, status=Action.Status.CANCELLED, public_id="cancelledaaaaaaa")
    ended = make_action(hub, days=-1, public_id="endedaaaaaaaaaaa")
    report = file_report_back(
        ended,
        took_place=True,
        reason="",
        turnout=120,
        turnout_is_estimate=True,
        story="We filled **the square**.",
        language="en",
        actor=make_member(hub, Membership.Role.ORGANIZER),
    )
    verify_report_back(report, actor=make_member(hub, Membership.Role.LEAD))


def _call(case):
    # Each request starts from an empty cache, as each test does (conftest._empty_cache): the
    # RSVP rate limit counts per minute and an Idempotency-Key is kept for an hour, so without
    # this the answer to a request would depend on how fast the ones before it were sent and
    # on the keys they happened to draw (hypothesis replays a failing example and needs the
    # same answer). The production limit itself stays as it is.
    cache.clear()
    case.call_and_validate()


@schema.parametrize()
@settings(deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_every_operation_keeps_its_schema(case, world):
    _call(case)


class Sequences(schema.as_state_machine()):  # type: ignore[misc]  # a class made from the schema
    def before_call(self, case):
        cache.clear()  # as in _call


def test_sequences_along_the_links_keep_the_schema(world):
    Sequences.run(
        settings=settings(
            max_examples=40,
            stateful_step_count=8,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
    )
