import datetime as dt
import uuid
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import resolve
from django.utils import timezone, translation

from streetwave.actions import services
from streetwave.actions.models import RSVP, Action
from streetwave.core.ids import hash_token

ANONYMOUS = {"language": "fa", "consent": True}
WITH_EMAIL = {"pseudonym": "Sara", "email": "sara@example.org", "language": "en", "consent": True}


def rsvp(client, action, body, *, key: str | None = None, language: str = "en"):
    headers = {"accept-language": language}
    if key is not None:
        headers["idempotency-key"] = key
    return client.post(
        f"/api/v1/actions/{action.public_id}/rsvps",
        body,
        content_type="application/json",
        headers=headers,
    )


def test_an_anonymous_rsvp_gets_its_manage_link_once(client, action):
    # when
    response = rsvp(client, action, ANONYMOUS)

    # then
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"status", "emailed", "manage_url"}
    assert (body["status"], body["emailed"]) == ("received", False)
    assert response["Cache-Control"] == "no-store"
    # the link is in the supporter's language and opens their RSVP
    path = urlsplit(body["manage_url"]).path
    assert path.startswith("/fa/")
    with translation.override("fa"):
        token = resolve(path).kwargs["token"]
    stored = RSVP.objects.get()
    assert stored.manage_token_hash == hash_token(token)
    assert (stored.status, stored.language, stored.pseudonym) == ("going", "fa", "")


def test_an_rsvp_with_email_gets_no_link_in_the_answer(client, action):
    response = rsvp(client, action, WITH_EMAIL)

    assert response.status_code == 201
    assert response.json() == {"status": "received", "emailed": True}
    assert RSVP.objects.get().pseudonym == "Sara"


def test_the_answer_does_not_tell_whether_the_email_had_rsvped(client, action):
    # given an RSVP with this email
    first = rsvp(client, action, WITH_EMAIL)

    # when the same address RSVPs again (another spelling, another name)
    again = rsvp(client, action, {**WITH_EMAIL, "email": " SARA@example.org", "pseudonym": "S"})

    # then the answer is byte for byte the same, and still one RSVP exists
    assert (again.status_code, again.content) == (first.status_code, first.content)
    assert RSVP.objects.count() == 1


def test_a_retry_with_the_same_key_creates_nothing_and_answers_the_same(client, action):
    key = str(uuid.uuid4())

    first = rsvp(client, action, ANONYMOUS, key=key)
    retry = rsvp(client, action, ANONYMOUS, key=key)

    assert first.status_code == retry.status_code == 201
    assert retry.content == first.content
    assert "manage_url" in retry.json()
    assert RSVP.objects.count() == 1
    assert Action.objects.get(pk=action.pk).going_count == 1


def test_keys_are_per_action(client, action, hub, make_action):
    other = make_action(hub)
    key = str(uuid.uuid4())

    rsvp(client, action, ANONYMOUS, key=key)
    rsvp(client, other, ANONYMOUS, key=key)

    assert RSVP.objects.filter(action=action).count() == 1
    assert RSVP.objects.filter(action=other).count() == 1


def test_without_a_key_each_anonymous_rsvp_counts(client, action):
    rsvp(client, action, ANONYMOUS)
    rsvp(client, action, ANONYMOUS)

    assert RSVP.objects.count() == 2


def test_the_same_key_with_another_body_is_refused(client, action):
    key = str(uuid.uuid4())
    rsvp(client, action, ANONYMOUS, key=key)

    response = rsvp(client, action, {**ANONYMOUS, "pseudonym": "Someone else"}, key=key)

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["Idempotency-Key"]
    assert RSVP.objects.count() == 1


def test_a_duplicate_still_in_flight_gets_409(client, action, monkeypatch):
    # given a request that is inside the service when its duplicate arrives
    key = str(uuid.uuid4())
    create_rsvp = services.create_rsvp
    duplicates = []

    def slow_create_rsvp(*args, **kwargs):
        duplicates.append(rsvp(Client(), action, ANONYMOUS, key=key, language="fa"))
        return create_rsvp(*args, **kwargs)

    monkeypatch.setattr(services, "create_rsvp", slow_create_rsvp)

    # when
    first = rsvp(client, action, ANONYMOUS, key=key)

    # then the duplicate is told to come back, and nothing was created twice
    [duplicate] = duplicates
    assert first.status_code == 201
    assert duplicate.status_code == 409
    assert duplicate["Retry-After"] == "1"
    assert duplicate.json()["error"]["code"] == "conflict"
    monkeypatch.setattr(services, "create_rsvp", create_rsvp)
    assert rsvp(client, action, ANONYMOUS, key=key).content == first.content
    assert RSVP.objects.count() == 1


def test_a_failed_request_releases_its_key(client, hub, make_action):
    # given an action that has ended, so an RSVP fails
    action = make_action(hub, starts_at=timezone.now() - dt.timedelta(hours=3))
    key = str(uuid.uuid4())
    failed = rsvp(client, action, ANONYMOUS, key=key)

    # when the action is reopened and the client retries with the same key
    Action.objects.filter(pk=action.pk).update(ends_at=timezone.now() + dt.timedelta(hours=1))
    retried = rsvp(client, action, ANONYMOUS, key=key)

    # then the refusal was a conflict with the action's state (the request itself was sound)
    assert failed.status_code == 409
    assert failed.json()["error"]["code"] == "conflict"
    assert failed.json()["error"]["message"] == "This action no longer takes RSVPs."
    assert retried.status_code == 201
    assert RSVP.objects.count() == 1


@pytest.mark.parametrize(
    "key", ["x" * 256, "too-short", "with space inside it", "ключ-ключ-ключ-ключ"]
)
def test_a_bad_idempotency_key_is_a_400(client, action, key):
    response = client.post(
        f"/api/v1/actions/{action.public_id}/rsvps",
        ANONYMOUS,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key,
    )

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["Idempotency-Key"]
    assert not RSVP.objects.exists()


def test_a_bad_email_is_a_400_in_the_readers_language(client, action):
    response = rsvp(client, action, {**WITH_EMAIL, "email": "not-an-address"}, language="fa")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"] == {"email": ["یک نشانی ایمیل معتبر وارد کنید."]}
    assert not RSVP.objects.exists()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"consent": False}, "consent", "Please confirm that you have read how your data is used."),
        (
            {"language": "xx"},
            "language",
            "Select a valid choice. xx is not one of the available choices.",
        ),
        ({"language": None}, "language", "This field is required."),
        (
            {"pseudonym": "p" * 61},
            "pseudonym",
            "Ensure this value has at most 60 characters (it has 61).",
        ),
        ({"consent": "perhaps"}, "consent", "Enter a valid value."),
        ({"consent": None}, "consent", "This field is required."),
        (
            {"pseudonym": "Sara\r\nBcc: x"},
            "pseudonym",
            "Please write this on one line, without line breaks or control characters.",
        ),
    ],
)
def test_the_form_rules_apply(client, action, change, field, message):
    body = {key: value for key, value in {**ANONYMOUS, **change}.items() if value is not None}

    response = rsvp(client, action, body)

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {field: [message]}


def test_null_optional_fields_are_accepted(client, action):
    response = rsvp(client, action, {**ANONYMOUS, "pseudonym": None, "email": None})

    assert response.status_code == 201


def test_a_body_that_is_not_json_is_a_400(client, action):
    response = client.post(
        f"/api/v1/actions/{action.public_id}/rsvps", "{not json", content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_unknown_and_draft_actions_take_no_rsvp(client, hub, make_action):
    draft = make_action(hub, status=Action.Status.DRAFT)

    hidden = client.post(
        f"/api/v1/actions/{draft.public_id}/rsvps", ANONYMOUS, content_type="application/json"
    )
    unknown = client.post(
        "/api/v1/actions/aaaaaaaaaaaaaaaa/rsvps", ANONYMOUS, content_type="application/json"
    )

    assert hidden.status_code == unknown.status_code == 404
    assert hidden.content == unknown.content
    assert not RSVP.objects.exists()


def test_no_csrf_token_is_needed(action):
    strict = Client(enforce_csrf_checks=True)

    response = rsvp(strict, action, ANONYMOUS)

    assert response.status_code == 201


def test_a_full_action_waitlists_without_saying_so(client, hub, make_action):
    action = make_action(hub, capacity=1)
    first = rsvp(client, action, ANONYMOUS)
    second = rsvp(client, action, ANONYMOUS)

    assert first.json().keys() == second.json().keys()
    assert sorted(RSVP.objects.values_list("status", flat=True)) == ["going", "waitlisted"]


@pytest.mark.parametrize(("body", "queries"), [(ANONYMOUS, 7), (WITH_EMAIL, 10)])
def test_an_rsvp_takes_a_handful_of_queries(
    client, action, body, queries, django_assert_max_num_queries
):
    # 1 action lookup (which says whether it is in a high-risk country), 1
    # duplicate check (email only), 1 seat claim, 1 insert, 1 campaign
    # counter, 1 audit row, the savepoint pair of the service's transaction, and with an email
    # the confirmation in the outbox (1 message, 1 delivery); the API layer itself (form,
    # idempotency key in the cache) adds none
    with django_assert_max_num_queries(queries):
        response = rsvp(client, action, body, key=str(uuid.uuid4()))

    assert response.status_code == 201


def test_an_rsvp_reads_neither_the_campaign_texts_nor_the_place(client, action):
    # The action lookup is one narrow row: the campaign's texts in five languages and the city
    # are what a page needs, not an RSVP.
    with CaptureQueriesContext(connection) as queries:
        response = rsvp(client, action, WITH_EMAIL, key=str(uuid.uuid4()))

    assert response.status_code == 201
    lookup = queries.captured_queries[0]["sql"]
    assert "actions_action" in lookup
    # (its campaign's status only, joined: an ended campaign takes no RSVPs)
    assert '"campaigns_campaign"."texts"' not in lookup.split(" FROM ")[0]
    # (the city is joined only to tell whether its country is high-risk, never read)
    assert "places_city" not in lookup.split(" FROM ")[0]
    assert not any('FROM "campaigns_campaign" ' in query["sql"] for query in queries)


def test_a_refused_rsvp_does_not_count_towards_the_limit_as_on_the_form(client, action, settings):
    # given a limit of one RSVP a minute per address
    settings.RSVP_RATE_LIMIT = 1

    # when an RSVP with a mistake comes back, and then the corrected one
    mistaken = rsvp(client, action, {**ANONYMOUS, "consent": False})
    corrected = rsvp(client, action, ANONYMOUS)

    # then the mistake is a 400 and the corrected RSVP still gets through
    assert (mistaken.status_code, corrected.status_code) == (400, 201)
    assert RSVP.objects.count() == 1


def test_too_many_rsvps_from_one_address_get_a_429_envelope(client, action, settings):
    # given a limit of two RSVPs a minute per address
    settings.RSVP_RATE_LIMIT = 2

    # when the same address sends three
    answers = [rsvp(client, action, ANONYMOUS) for _ in range(3)]

    # then the third is refused with the envelope and nothing is stored for it
    assert [a.status_code for a in answers] == [201, 201, 429]
    assert answers[2].json()["error"]["code"] == "too_many_requests"
    assert answers[2]["Retry-After"] == "60"
    assert RSVP.objects.count() == 2


def confirmation_bodies(outbox) -> dict[str, str]:
    return {message.to[0]: message.body for message in outbox}


def test_asking_for_campaign_news_mails_a_confirmation_link_and_starts_nothing(
    client, action, django_capture_on_commit_callbacks
):
    # When one RSVP asks for the campaign's news and another does not
    with django_capture_on_commit_callbacks(execute=True):
        asked = rsvp(client, action, {**WITH_EMAIL, "campaign_news": True})
        quiet = rsvp(client, action, {**WITH_EMAIL, "email": "later@example.org"})

    # Then both answers are the same, nothing starts before the owner of the address confirms,
    # and only the one who asked is mailed the link that would start them
    assert asked.json() == quiet.json() == {"status": "received", "emailed": True}
    assert not RSVP.objects.filter(campaign_news=True).exists()
    bodies = confirmation_bodies(mail.outbox)
    assert "/news/confirm/" in bodies[WITH_EMAIL["email"]]
    assert "/news/confirm/" not in bodies["later@example.org"]


def test_campaign_news_without_an_email_is_a_400(client, action):
    response = rsvp(client, action, {**ANONYMOUS, "campaign_news": True})

    assert response.status_code == 400
    assert "campaign_news" in response.json()["error"]["fields"]
    assert not RSVP.objects.exists()


def test_campaign_news_for_an_action_outside_a_campaign_is_ignored(
    client, hub, make_action, django_capture_on_commit_callbacks
):
    action = make_action(hub, campaign=None)

    with django_capture_on_commit_callbacks(execute=True):
        response = rsvp(client, action, {**WITH_EMAIL, "campaign_news": True})

    assert response.status_code == 201
    assert "/news/confirm/" not in confirmation_bodies(mail.outbox)[WITH_EMAIL["email"]]


@pytest.mark.django_db(transaction=True)
def test_an_rsvp_is_answered_and_kept_while_the_broker_is_down(client, action):
    from kombu.exceptions import OperationalError

    from streetwave.outbox.models import Delivery
    from streetwave.outbox.tasks import send_deliveries

    # given a broker that takes no task (mocked: it is the network)
    with mock.patch.object(send_deliveries, "apply_async", side_effect=OperationalError("down")):
        # when someone RSVPs with an email
        response = rsvp(client, action, WITH_EMAIL)

    # then they are told it is received, and the mail waits in the outbox for the sweep
    assert response.status_code == 201
    assert RSVP.objects.get().pseudonym == "Sara"
    assert Delivery.objects.get().status == Delivery.Status.QUEUED


def test_a_pseudonym_on_more_than_one_line_is_refused(client, action):
    response = rsvp(client, action, {**WITH_EMAIL, "pseudonym": "Sara\r\nBcc: x@example.org"})

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"pseudonym"}
    assert not RSVP.objects.exists()
