"""The outbox: a message queued once reaches each recipient once, survives a busy or refusing
server and a dead worker, and every mail it sends is private, in the recipient's language, and
links only to the site.

Only the network is replaced: `ScriptedSMTP` is a mail server whose answers a test writes down
per address, and `Relay` a real SMTP server (aiosmtpd) on 127.0.0.1; everything else (claims,
rendering, the sweeper) runs for real.
"""

import asyncio
import datetime as dt
import email
import email.policy
import logging
import re
import smtplib
import socket
import threading
from dataclasses import replace
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.core.mail import BadHeaderError
from django.core.mail.backends.locmem import EmailBackend
from django.db import IntegrityError, OperationalError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from streetwave.actions import services
from streetwave.actions.models import RSVP, Action
from streetwave.actions.tests import conftest as actions_fixtures
from streetwave.audit.services import erase_expired_personal_data
from streetwave.outbox import services as outbox
from streetwave.outbox.models import Delivery, Message

pytestmark = pytest.mark.django_db

# Moves Django's clock forward without sleeping, as in the actions tests.
clock = actions_fixtures.clock


class WorkerKilled(BaseException):
    """The process dies right after the server took the mail: nothing after it runs."""


class ScriptedSMTP(EmailBackend):
    """A mail server on the other end of the wire. `replies[address]` lists what it answers to
    each mail for that address in turn: an SMTP code (refused with that code, and a server text
    that quotes the address, as real servers do), "kill" (accepted, then the worker dies), or
    None (accepted); once the list is used up it accepts everything. Accepted mails land in
    django.core.mail.outbox. `unreachable` makes every connection fail."""

    replies: dict[str, list] = {}
    unreachable = False

    def open(self):
        if ScriptedSMTP.unreachable:
            raise ConnectionRefusedError(111, "Connection refused")
        return super().open()

    def send_messages(self, messages):
        for message in messages:
            address = message.to[0]
            pending = ScriptedSMTP.replies.get(address, [])
            reply = pending.pop(0) if pending else None
            if isinstance(reply, int):
                text = f"{reply // 100}.1.1 <{address}>: not now".encode()
                raise smtplib.SMTPRecipientsRefused({address: (reply, text)})
            super().send_messages([message])
            if reply == "kill":
                raise WorkerKilled
        return len(messages)


@pytest.fixture
def smtp(settings):
    ScriptedSMTP.replies = {}
    ScriptedSMTP.unreachable = False
    settings.EMAIL_BACKEND = f"{__name__}.ScriptedSMTP"
    yield ScriptedSMTP
    ScriptedSMTP.replies = {}
    ScriptedSMTP.unreachable = False


class Relay:
    """aiosmtpd handler of a real mail server on 127.0.0.1. It refuses as a test sets it: our
    sender (`refuse_sender`, the answer to MAIL FROM), one address (`refuse_rcpt[address]`, the
    answer to its RCPT TO) or the mail once sent (`refuse_data`, a provider's quota or policy);
    it keeps every mail it accepts, raw, in `mails`."""

    def __init__(self):
        self.refuse_sender = ""
        self.refuse_rcpt = {}
        self.refuse_data = ""
        self.mails = []
        self.lock = threading.Lock()

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.refuse_sender:
            return self.refuse_sender
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse_rcpt:
            return self.refuse_rcpt[address]
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_data:
            return self.refuse_data
        with self.lock:
            self.mails.append(envelope.content)
        return "250 Message accepted"

    def received(self):
        with self.lock:
            return [
                email.message_from_bytes(raw, policy=email.policy.default) for raw in self.mails
            ]


def serve(handler, settings):
    """Start an SMTP server with `handler` on a free port of 127.0.0.1 and send the site's mail
    there; returns its controller (to stop)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_TIMEOUT = 10
    return controller


@pytest.fixture
def relay(settings):
    handler = Relay()
    controller = serve(handler, settings)
    yield handler
    controller.stop()


@pytest.fixture
def going(make_action, django_capture_on_commit_callbacks):
    """RSVPs going to one action, by address; their confirmation mails already went out."""

    def make(*addresses, language="en"):
        action = make_action()
        with django_capture_on_commit_callbacks(execute=True):
            for address in addresses:
                services.create_rsvp(action, email=address, language=language, consent=True)
        mail.outbox.clear()
        rsvps = RSVP.objects.filter(action=action, status=RSVP.Status.GOING)
        return {rsvp.contact: rsvp for rsvp in rsvps}

    return make


def queue(kind, rsvps, **kwargs) -> list[int]:
    """Queue `kind` to `rsvps` without running its tasks; the ids of its deliveries."""
    message = outbox.queue_message(kind, [outbox.recipient("rsvp", r.pk) for r in rsvps], **kwargs)
    assert message is not None
    return list(message.deliveries.order_by("pk").values_list("pk", flat=True))


def delivery_to(rsvp) -> Delivery:
    return Delivery.objects.exclude(message__kind="rsvp.confirmation").get(
        recipient=outbox.recipient("rsvp", rsvp.pk)
    )


def sent_to(address) -> list:
    return [message for message in mail.outbox if message.to == [address]]


# Uniqueness


def test_the_database_refuses_a_second_delivery_of_a_message_to_a_recipient(going):
    # Given a message with a delivery to one RSVP
    (rsvp,) = going("a@example.org").values()
    queue("rsvp.promoted", [rsvp], key="promoted:1")
    message = Message.objects.get(key="promoted:1")

    # When a second delivery for the same message, recipient and channel is inserted
    # Then the constraint refuses it
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(
            message=message, recipient=outbox.recipient("rsvp", rsvp.pk), channel="email"
        )
    # And another channel is a different delivery
    Delivery.objects.create(
        message=message, recipient=outbox.recipient("rsvp", rsvp.pk), channel="matrix"
    )
    assert message.deliveries.count() == 2


def test_a_key_queued_before_is_not_queued_again(going):
    rsvps = going("a@example.org", "b@example.org").values()

    first = outbox.queue_message(
        "rsvp.promoted", [outbox.recipient("rsvp", r.pk) for r in rsvps], key="k"
    )
    second = outbox.queue_message(
        "rsvp.promoted", [outbox.recipient("rsvp", r.pk) for r in rsvps], key="k"
    )

    assert first is not None and second is None
    assert Delivery.objects.filter(message__key="k").count() == 2


def test_the_same_recipient_twice_in_one_call_gets_one_delivery(going):
    a, b = going("a@example.org", "b@example.org").values()

    message = outbox.queue_message(
        "rsvp.promoted",
        [
            outbox.recipient("rsvp", a.pk),
            outbox.recipient("rsvp", b.pk),
            outbox.recipient("rsvp", a.pk),
        ],
    )

    assert sorted(message.deliveries.values_list("recipient", flat=True)) == sorted(
        [outbox.recipient("rsvp", a.pk), outbox.recipient("rsvp", b.pk)]
    )


# Idempotency


def test_sending_the_same_deliveries_twice_sends_each_mail_once(going, smtp):
    # Given two queued deliveries
    rsvps = going("a@example.org", "b@example.org").values()
    ids = queue("rsvp.promoted", rsvps)

    # When their task runs twice (a redelivered task, a sweep that raced the first run)
    first = outbox.send_deliveries(ids)
    second = outbox.send_deliveries(ids)

    # Then each address got one mail, and the second run found nothing to do
    assert first["sent"] == 2 and second == {}
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.org", "b@example.org"]
    assert set(Delivery.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"sent"}


def test_a_batch_slower_than_the_lease_sends_each_mail_once(
    going, smtp, clock, settings, monkeypatch, django_capture_on_commit_callbacks
):
    # Given a batch of three whose mail server takes four minutes over each mail (the lease is
    # five), and a sweep, with the task it schedules, while the second mail is in flight
    settings.OUTBOX_LEASE_SECONDS = 300
    rsvps = going("a@example.org", "b@example.org", "c@example.org")
    ids = queue("rsvp.promoted", rsvps.values())
    accept = EmailBackend.send_messages
    handed_over = []
    swept = []

    def slow_send(self, messages):
        handed_over.append(messages[0].to[0])
        clock.advance(minutes=4)
        if len(handed_over) == 2:
            with django_capture_on_commit_callbacks(execute=True):
                swept.append(outbox.sweep())
        return accept(self, messages)

    monkeypatch.setattr(ScriptedSMTP, "send_messages", slow_send)

    # When the batch is sent
    outbox.send_deliveries(ids)

    # Then the sweep took back only the mail no one had started (its claim older than the
    # lease), the sweep's task sent it and the slow run left it alone: one mail to each
    assert swept == [{"released": 1, "rescheduled": 0, "failed": 0}]
    assert sorted(handed_over) == ["a@example.org", "b@example.org", "c@example.org"]
    assert sorted(m.to[0] for m in mail.outbox) == handed_over
    assert set(Delivery.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"sent"}


class SlowRelay(Relay):
    """A relay that takes four minutes of the site's clock over each mail and holds the second
    one (`holding` says it arrived) until `release` is set."""

    def __init__(self, clock):
        super().__init__()
        self.clock = clock
        self.count = 0
        self.holding = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        # One event loop answers every connection: no two run this at once.
        self.count += 1
        self.clock.advance(minutes=4)
        if self.count == 2:
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.01)
        return await super().handle_DATA(server, session, envelope)


MANAGE_LINK = re.compile(r"https?://\S+/rsvp/[\w-]+/")


def text_of(message):
    return message.get_body(("plain",)).get_content()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_batch_slower_than_the_lease_reaches_a_real_server_once_with_working_links(
    make_action, clock, settings, client
):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: a worker and the sweeper run in two threads")
    # Given three supporters whose confirmations wait in one batch, and a mail server on
    # 127.0.0.1 that takes four minutes over each mail (the lease is five)
    settings.OUTBOX_LEASE_SECONDS = 300
    action = make_action()
    for address in ("a@example.org", "b@example.org", "c@example.org"):
        services.create_rsvp(action, email=address, language="en", consent=True)
    relay = SlowRelay(clock)
    controller = serve(relay, settings)
    message = Message.objects.create(kind="rsvp.confirmation", key="rsvp.confirmation:slow")
    ids = [
        Delivery.objects.create(message=message, recipient=outbox.recipient("rsvp", pk)).pk
        for pk in RSVP.objects.filter(action=action).order_by("pk").values_list("pk", flat=True)
    ]
    errors = []

    def worker():
        try:
            outbox.send_deliveries(ids)
        except Exception as exc:  # asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    try:
        # When a worker sends the batch, and while the second mail is in flight the sweeper
        # runs, with the task it schedules
        thread = threading.Thread(target=worker)
        thread.start()
        assert relay.holding.wait(10)
        swept = outbox.sweep()
        relay.release.set()
        thread.join(30)
    finally:
        relay.release.set()
        controller.stop()

    # Then the sweeper took back only the mail no one had started, and each address got one
    # mail, whose link works
    assert errors == [] and not thread.is_alive()
    assert swept == {"released": 1, "rescheduled": 0, "failed": 0}
    received = relay.received()
    assert sorted(m["To"] for m in received) == ["a@example.org", "b@example.org", "c@example.org"]
    assert set(Delivery.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"sent"}
    for received_mail in received:
        [link] = MANAGE_LINK.findall(text_of(received_mail))
        assert client.get(urlsplit(link).path).status_code == 200


VERIFY_LINK = re.compile(r"https?://\S+/hubs/start/verify/[\w-]+/")


def rsvp_confirmation(make_action, make_city):
    services.create_rsvp(make_action(), email="a@example.org", language="en", consent=True)
    return "rsvp.confirmation", "a@example.org", MANAGE_LINK


def hub_verification(make_action, make_city):
    from streetwave.hubs.services import propose_hub

    propose_hub(
        name="Leipzig hub",
        city=make_city("Leipzig", lat=51.34, lon=12.37),
        languages=["fa"],
        motivation="We met at the vigils.",
        email="applicant@example.org",
        language="en",
    )
    return "hub.verification", "applicant@example.org", VERIFY_LINK


@pytest.mark.parametrize("queue_mail", [rsvp_confirmation, hub_verification])
def test_a_mail_sent_again_after_its_worker_died_carries_the_same_working_link(
    queue_mail, make_action, make_city, smtp, clock, client, django_capture_on_commit_callbacks
):
    # Given a mail with a secret link that the server took just before its worker died
    with django_capture_on_commit_callbacks():
        kind, address, link_pattern = queue_mail(make_action, make_city)
    [pk] = Delivery.objects.filter(message__kind=kind).values_list("pk", flat=True)
    smtp.replies = {address: ["kill"]}
    with pytest.raises(WorkerKilled):
        outbox.send_deliveries([pk])

    # When the sweeper finds it after the lease, and its task sends it again
    clock.advance(minutes=6)
    with django_capture_on_commit_callbacks(execute=True):
        outbox.sweep()

    # Then both copies (one Message-ID) carry the same link, and it works
    first, second = sent_to(address)
    assert first.extra_headers["Message-ID"] == second.extra_headers["Message-ID"]
    [link] = link_pattern.findall(first.body)
    assert link_pattern.findall(second.body) == [link]
    assert client.get(urlsplit(link).path).status_code == 200
    # And once sent, the delivery keeps nothing of the link
    assert Delivery.objects.filter(pk=pk, secret__isnull=True).exists()


def test_sending_a_batch_takes_two_queries_per_mail_beyond_a_fixed_few(going, smtp):
    # Given a batch of two deliveries and a batch of six
    small = queue("rsvp.promoted", going("a@example.org", "b@example.org").values())
    large = queue("rsvp.promoted", going(*(f"p{n}@example.org" for n in range(6))).values())

    # When each is sent
    with CaptureQueriesContext(connection) as for_small:
        assert outbox.send_deliveries(small)["sent"] == 2
    with CaptureQueriesContext(connection) as for_large:
        assert outbox.send_deliveries(large)["sent"] == 6

    # Then each mail costs two queries (its claim checked just before it leaves, its outcome
    # recorded just after), and none looks deliveries up by claim alone (the claim column has
    # no index: that would read the whole table)
    assert len(for_large) - len(for_small) == 2 * 4
    for query in for_large.captured_queries:
        sql = query["sql"]
        if '"claim" =' in sql:
            assert '"id" IN' in sql or '"id" =' in sql, sql


# Retries and failures


def test_a_busy_server_means_a_later_attempt_that_then_succeeds(
    going, smtp, clock, django_capture_on_commit_callbacks
):
    # Given a server that answers 451 to the first attempt for one address
    rsvps = going("busy@example.org", "fine@example.org")
    smtp.replies = {"busy@example.org": [451]}
    ids = queue("rsvp.promoted", rsvps.values())

    # When the deliveries are sent
    with django_capture_on_commit_callbacks() as retries:
        outcome = outbox.send_deliveries(ids)

    # Then the busy one is back in the queue, counted, due after a backoff, with a retry
    # scheduled; the other one went out
    assert outcome == {"sent": 1, "skipped": 0, "failed": 0, "retry": 1}
    busy = delivery_to(rsvps["busy@example.org"])
    assert busy.status == Delivery.Status.QUEUED and busy.attempts == 1
    assert busy.last_error == "SMTPRecipientsRefused 451"
    assert busy.next_attempt_at >= timezone.now() + dt.timedelta(seconds=29)
    assert len(retries) == 1
    # And an early run does not touch it
    assert outbox.send_deliveries([busy.pk]) == {}

    # When the backoff has passed and the scheduled retry runs
    clock.advance(seconds=31)
    retries[0]()

    # Then it is sent, at its second attempt
    busy.refresh_from_db()
    assert busy.status == Delivery.Status.SENT and busy.attempts == 2 and busy.last_error == ""
    assert len(sent_to("busy@example.org")) == 1
    assert len(sent_to("fine@example.org")) == 1


def test_each_retry_waits_longer(going, smtp, clock):
    (rsvp,) = going("busy@example.org").values()
    smtp.replies = {"busy@example.org": [451, 451, 451]}
    [pk] = queue("rsvp.promoted", [rsvp])
    waits = []

    for _attempt in range(3):
        before = timezone.now()
        outbox.send_deliveries([pk])
        due = Delivery.objects.get(pk=pk).next_attempt_at
        waits.append((due - before).total_seconds())
        clock.advance(seconds=waits[-1] + 1)

    assert waits[0] >= 29 and waits[1] > waits[0] * 1.5 and waits[2] > waits[1] * 1.5


def test_an_unreachable_server_puts_the_whole_batch_back_in_the_queue(going, smtp):
    # Given two deliveries and a mail server no one can reach
    rsvps = going("a@example.org", "b@example.org").values()
    ids = queue("rsvp.promoted", rsvps)
    smtp.unreachable = True

    # When the deliveries are sent
    outcome = outbox.send_deliveries(ids)

    # Then both wait for a later attempt; the server's trouble used up none of theirs
    assert outcome["retry"] == 2 and mail.outbox == []
    for delivery in Delivery.objects.filter(pk__in=ids):
        assert delivery.status == Delivery.Status.QUEUED and delivery.attempts == 0
        assert delivery.next_attempt_at > timezone.now()
        assert delivery.last_error == "ConnectionRefusedError"


def test_recording_a_batch_that_failed_whole_takes_the_same_queries_whatever_its_size(going, smtp):
    small = queue("rsvp.promoted", going("a@example.org", "b@example.org").values())
    large = queue("rsvp.promoted", going(*(f"p{n}@example.org" for n in range(6))).values())
    smtp.unreachable = True

    with CaptureQueriesContext(connection) as for_small:
        assert outbox.send_deliveries(small)["retry"] == 2
    with CaptureQueriesContext(connection) as for_large:
        assert outbox.send_deliveries(large)["retry"] == 6

    assert len(for_small) == len(for_large)


def send_to_gone_and_fine(rsvps) -> Delivery:
    """Send one mail to the RSVPs of gone@ and fine@ through a server that refuses gone@ for
    good; check that the delivery to gone@ failed at its first attempt, with the kind and the
    code only, and that the one to fine@ went out. The delivery to gone@."""
    outcome = outbox.send_deliveries(queue("rsvp.promoted", rsvps.values()))
    assert outcome == {"sent": 1, "skipped": 0, "failed": 1, "retry": 0}
    assert delivery_to(rsvps["fine@example.org"]).status == Delivery.Status.SENT
    gone = delivery_to(rsvps["gone@example.org"])
    assert gone.status == Delivery.Status.FAILED and gone.attempts == 1
    assert gone.last_error == "SMTPRecipientsRefused 550"
    return gone


def test_a_refused_address_fails_at_once_without_the_address_in_the_error(going, smtp):
    # Given a server that refuses one address for good (its answer quotes the address)
    rsvps = going("gone@example.org", "fine@example.org")
    smtp.replies = {"gone@example.org": [550]}

    # When a mail to it and to another is sent
    gone = send_to_gone_and_fine(rsvps)

    # Then the refused one failed at its first attempt, the other went out, and the error is
    # only the kind and the code
    assert "gone@" not in gone.last_error and "example.org" not in gone.last_error
    assert sent_to("fine@example.org")


def test_a_real_server_that_refuses_one_address_fails_that_delivery_alone(going, relay):
    # Given a mail server on 127.0.0.1 that refuses one address for good at RCPT TO
    rsvps = going("gone@example.org", "fine@example.org")
    relay.mails.clear()
    relay.refuse_rcpt = {"gone@example.org": "550 5.1.1 <gone@example.org>: no such user"}

    # When a mail to it and to another is sent
    send_to_gone_and_fine(rsvps)

    # Then that one failed at its first attempt, and the other went out
    assert [m["To"] for m in relay.received()] == ["fine@example.org"]


QUOTA = "550 5.7.1 Daily sending quota exceeded for noreply@localhost"


@pytest.mark.parametrize(
    ("refusal", "error"),
    [
        ({"refuse_sender": QUOTA}, "SMTPSenderRefused 550"),
        (
            {"refuse_data": "554 5.7.1 Message rejected: sender not allowed by SPF"},
            "SMTPDataError 554",
        ),
    ],
    ids=["sender", "message"],
)
def test_a_real_server_refusing_our_sender_or_our_mail_keeps_the_deliveries_queued_and_says_so(
    going, relay, caplog, django_capture_on_commit_callbacks, refusal, error
):
    # Given a mail server on 127.0.0.1 that refuses our sender (a daily quota) or every mail
    # once sent (an SPF or policy change)
    rsvps = going("a@example.org", "b@example.org")
    relay.mails.clear()
    for name, answer in refusal.items():
        setattr(relay, name, answer)
    ids = queue("rsvp.promoted", rsvps.values())

    # When the deliveries are sent
    with caplog.at_level(logging.INFO), django_capture_on_commit_callbacks() as retries:
        outcome = outbox.send_deliveries(ids)

    # Then none failed: both wait for a later attempt, scheduled, and used up none of theirs
    assert outcome == {"sent": 0, "skipped": 0, "failed": 0, "retry": 2}
    for delivery in Delivery.objects.filter(pk__in=ids):
        assert delivery.status == Delivery.Status.QUEUED and delivery.attempts == 0
        assert delivery.next_attempt_at > timezone.now()
        assert delivery.last_error == error
    assert len(retries) == 1 and relay.mails == []
    # And the operators read it in the log, as an error, without an address
    [line] = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert error in line and "2 deliveries" in line
    assert "@" not in line and "quota" not in line


def test_a_quota_that_outlasts_every_attempt_loses_no_mail(going, relay, clock, settings):
    # Given three attempts allowed, and a mail server that refuses our sender for twelve hours
    settings.OUTBOX_MAX_ATTEMPTS = 3
    (rsvp,) = going("a@example.org").values()
    relay.mails.clear()
    relay.refuse_sender = QUOTA
    [pk] = queue("rsvp.promoted", [rsvp])

    # When an attempt is made every two hours
    for _attempt in range(6):
        outbox.send_deliveries([pk])
        clock.advance(hours=2)

    # Then the delivery still waits
    delivery = Delivery.objects.get(pk=pk)
    assert delivery.status == Delivery.Status.QUEUED and delivery.attempts == 0

    # When the quota is lifted and the next attempt comes
    relay.refuse_sender = ""
    outbox.send_deliveries([pk])

    # Then the mail goes out, once
    assert Delivery.objects.get(pk=pk).status == Delivery.Status.SENT
    assert [m["To"] for m in relay.received()] == ["a@example.org"]


def test_a_refusal_that_outlasts_the_maximum_age_fails_the_delivery(going, relay, clock, settings):
    # Given a mail server that refuses our sender for good, and deliveries given up two days
    # after they were queued
    settings.OUTBOX_MAX_AGE_HOURS = 48
    (rsvp,) = going("a@example.org").values()
    relay.refuse_sender = QUOTA
    [pk] = queue("rsvp.promoted", [rsvp])

    # When an attempt is made every hour for two days, and once more after them
    for _attempt in range(47):
        outbox.send_deliveries([pk])
        assert Delivery.objects.get(pk=pk).status == Delivery.Status.QUEUED
        clock.advance(hours=1)
    clock.advance(hours=2)
    outbox.send_deliveries([pk])

    # Then it failed, with the server's error
    delivery = Delivery.objects.get(pk=pk)
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.last_error == "SMTPSenderRefused 550"


def test_after_the_last_attempt_a_busy_server_means_failed(going, smtp, clock, settings):
    # Given a server that is busy for one address every time, and three attempts allowed
    settings.OUTBOX_MAX_ATTEMPTS = 3
    (rsvp,) = going("busy@example.org").values()
    smtp.replies = {"busy@example.org": [451] * 10}
    [pk] = queue("rsvp.promoted", [rsvp])

    # When every attempt is made as soon as it is due
    outcomes = []
    for _attempt in range(4):
        outcomes.append(outbox.send_deliveries([pk]))
        clock.advance(hours=2)

    # Then the third attempt gave up, and nothing was tried after it
    assert [o.get("retry", 0) for o in outcomes] == [1, 1, 0, 0]
    assert outcomes[2]["failed"] == 1 and outcomes[3] == {}
    delivery = Delivery.objects.get(pk=pk)
    assert delivery.status == Delivery.Status.FAILED and delivery.attempts == 3
    assert delivery.last_error == "SMTPRecipientsRefused 451"
    assert mail.outbox == []


@pytest.mark.parametrize(
    "error",
    [BadHeaderError("Header values can't contain newlines"), LookupError("a bug in a template")],
    ids=["header", "bug"],
)
def test_a_message_that_fails_to_render_fails_at_once_without_stopping_the_others(
    going, smtp, monkeypatch, django_capture_on_commit_callbacks, error
):
    # Given a batch with deliveries of a message whose renderer fails the same way at every
    # attempt (a line break in a header, a bug), and of a sound one
    rsvps = going("a@example.org", "b@example.org")

    def broken(message, deliveries):
        raise error

    monkeypatch.setitem(outbox.RENDERERS, "test.broken", broken)
    broken_ids = queue("test.broken", [rsvps["a@example.org"]])
    sound_ids = queue("rsvp.promoted", rsvps.values())

    # When the batch is sent
    with django_capture_on_commit_callbacks() as retries:
        outcome = outbox.send_deliveries([*broken_ids, *sound_ids])

    # Then the sound message reached both, and the broken one failed at its first attempt,
    # with no other scheduled
    assert outcome == {"sent": 2, "skipped": 0, "failed": 1, "retry": 0}
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.org", "b@example.org"]
    broken_delivery = Delivery.objects.get(pk=broken_ids[0])
    assert broken_delivery.status == Delivery.Status.FAILED and broken_delivery.attempts == 1
    assert broken_delivery.last_error == f"render: {type(error).__name__}"
    assert retries == []


def test_a_message_whose_rendering_lost_the_database_is_tried_again(going, smtp, monkeypatch):
    # Given a message whose renderer lost its database connection
    (rsvp,) = going("a@example.org").values()

    def cut_off(message, deliveries):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setitem(outbox.RENDERERS, "test.cut_off", cut_off)
    [pk] = queue("test.cut_off", [rsvp])

    # When it is sent
    outcome = outbox.send_deliveries([pk])

    # Then it waits for another attempt
    assert outcome == {"sent": 0, "skipped": 0, "failed": 0, "retry": 1}
    delivery = Delivery.objects.get(pk=pk)
    assert delivery.status == Delivery.Status.QUEUED
    assert delivery.last_error == "render: OperationalError"


def test_a_mail_that_cannot_be_built_fails_at_once_without_holding_back_the_batch(
    going, smtp, monkeypatch
):
    # Given a batch in which one mail cannot be made (a line break in a header), between two
    # sound ones
    rsvps = going("a@example.org", "b@example.org", "c@example.org")
    promoted = outbox.RENDERERS["rsvp.promoted"]

    def with_a_broken_header(message, deliveries):
        envelopes = promoted(message, deliveries)
        for pk, envelope in envelopes.items():
            if envelope.to == "b@example.org":
                broken = replace(envelope.mail, subject="one\nBcc: x@example.net")
                envelopes[pk] = replace(envelope, mail=broken)
        return envelopes

    monkeypatch.setitem(outbox.RENDERERS, "rsvp.promoted", with_a_broken_header)
    ids = queue("rsvp.promoted", rsvps.values())

    # When the batch is sent
    outcome = outbox.send_deliveries(ids)

    # Then the two sound mails went out and are recorded as sent (never to be sent again), and
    # the broken one failed at its first attempt (every other would fail the same way), its
    # error without the address
    assert outcome == {"sent": 2, "skipped": 0, "failed": 1, "retry": 0}
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.org", "c@example.org"]
    for address in ("a@example.org", "c@example.org"):
        assert delivery_to(rsvps[address]).status == Delivery.Status.SENT
    broken = delivery_to(rsvps["b@example.org"])
    assert broken.status == Delivery.Status.FAILED and broken.attempts == 1
    assert broken.last_error == "BadHeaderError"


def test_a_recipient_who_no_longer_needs_the_mail_is_skipped(going, smtp):
    rsvps = going("a@example.org", "b@example.org")
    ids = queue("rsvp.promoted", rsvps.values())
    services.cancel_rsvp(rsvps["b@example.org"])

    outcome = outbox.send_deliveries(ids)

    assert outcome["sent"] == 1 and outcome["skipped"] == 1
    assert delivery_to(rsvps["b@example.org"]).status == Delivery.Status.SKIPPED
    assert [m.to[0] for m in mail.outbox] == ["a@example.org"]


# The sweeper


def test_a_worker_killed_while_sending_is_swept_back_and_sent_with_the_same_message_id(
    going, smtp, clock, django_capture_on_commit_callbacks
):
    # Given a worker that dies right after the server took the mail, before recording it
    (rsvp,) = going("a@example.org").values()
    smtp.replies = {"a@example.org": ["kill"]}
    [pk] = queue("rsvp.promoted", [rsvp])
    with pytest.raises(WorkerKilled):
        outbox.send_deliveries([pk])
    assert Delivery.objects.get(pk=pk).status == Delivery.Status.SENDING

    # When the sweeper runs within the lease, nothing changes
    clock.advance(seconds=60)
    assert outbox.sweep() == {"released": 0, "rescheduled": 0, "failed": 0}
    # When it runs after the lease, and its task runs
    clock.advance(minutes=5)
    with django_capture_on_commit_callbacks(execute=True):
        swept = outbox.sweep()

    # Then the delivery was released, sent again, and both mails carry one Message-ID
    assert swept == {"released": 1, "rescheduled": 0, "failed": 0}
    delivery = Delivery.objects.get(pk=pk)
    assert delivery.status == Delivery.Status.SENT and delivery.attempts == 2
    first, second = sent_to("a@example.org")
    assert first.extra_headers["Message-ID"] == second.extra_headers["Message-ID"]
    assert delivery.public_id in first.extra_headers["Message-ID"]


def test_a_queued_delivery_whose_task_was_lost_is_scheduled_again(
    going, smtp, clock, django_capture_on_commit_callbacks
):
    # Given a queued delivery whose task never ran (the broker lost it)
    (rsvp,) = going("a@example.org").values()
    [pk] = queue("rsvp.promoted", [rsvp])

    # When the sweeper runs after the lease, and its task runs
    clock.advance(minutes=6)
    with django_capture_on_commit_callbacks(execute=True):
        swept = outbox.sweep()

    # Then the delivery was scheduled again and sent
    assert swept == {"released": 0, "rescheduled": 1, "failed": 0}
    assert Delivery.objects.get(pk=pk).status == Delivery.Status.SENT
    assert len(sent_to("a@example.org")) == 1
    # And the next sweep has nothing to do
    clock.advance(minutes=6)
    assert outbox.sweep() == {"released": 0, "rescheduled": 0, "failed": 0}


def test_a_delivery_that_keeps_killing_its_worker_fails_after_the_last_attempt(
    going, smtp, clock, settings, django_capture_on_commit_callbacks
):
    # Given a delivery held by a dead worker at its last allowed attempt
    settings.OUTBOX_MAX_ATTEMPTS = 2
    (rsvp,) = going("a@example.org").values()
    smtp.replies = {"a@example.org": ["kill", "kill"]}
    [pk] = queue("rsvp.promoted", [rsvp])
    with pytest.raises(WorkerKilled):
        outbox.send_deliveries([pk])
    clock.advance(minutes=6)
    with pytest.raises(WorkerKilled), django_capture_on_commit_callbacks(execute=True):
        outbox.sweep()
    assert Delivery.objects.get(pk=pk).attempts == 2

    # When the sweeper finds it after the lease
    clock.advance(minutes=6)
    with django_capture_on_commit_callbacks() as scheduled:
        swept = outbox.sweep()

    # Then it has failed for good and nothing more is scheduled
    assert swept == {"released": 0, "rescheduled": 0, "failed": 1}
    delivery = Delivery.objects.get(pk=pk)
    assert delivery.status == Delivery.Status.FAILED and delivery.last_error == "lease expired"
    assert scheduled == []


# What a mail looks like

URL = re.compile(r"""https?://[^\s"'<>]+""")
# Where an HTML part would load or link anything, protocol-relative addresses included.
HTML_REFERENCE = re.compile(r"""\b(?:href|src|action|background)\s*=\s*["']?([^"'\s>]+)""", re.I)


@pytest.mark.parametrize(("language", "direction"), [("fa", "rtl"), ("en", "ltr"), ("de", "ltr")])
@pytest.mark.parametrize("kind", ["rsvp.confirmation", "rsvp.promoted", "action.cancelled"])
def test_every_mail_has_text_and_html_in_the_language_and_links_only_home(
    going, smtp, settings, kind, language, direction
):
    # Given a site with its own address, and a supporter of an action in their language
    settings.SITE_URL = "https://streetwave.example"
    (rsvp,) = going("reader@example.org", language=language).values()
    if kind == "action.cancelled":
        action = rsvp.action
        action.status = Action.Status.CANCELLED
        action.save(update_fields=["status"])
    [pk] = queue(kind, [rsvp])

    # When it is sent
    assert outbox.send_deliveries([pk])["sent"] == 1

    # Then the mail has a text part and an HTML part in their language and direction, one
    # recipient, the delivery's Message-ID on the site's domain, and links only to the site
    [message] = mail.outbox
    assert message.to == ["reader@example.org"] and not message.cc and not message.bcc
    assert message.body.strip()
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert f'<html lang="{language}" dir="{direction}">' in html
    delivery = Delivery.objects.get(pk=pk)
    assert message.extra_headers["Message-ID"] == f"<{delivery.public_id}@streetwave.example>"
    parts = [message.subject, message.body, html, *message.extra_headers.values()]
    # Django keeps text attachments (the calendar file) as str.
    parts += [str(content) for _name, content, _type in message.attachments]
    links = [link for part in parts for link in URL.findall(part)]
    links += HTML_REFERENCE.findall(html)
    assert "url(" not in html
    assert all(link.startswith("https://streetwave.example/") for link in links), links
    if kind != "rsvp.promoted":
        assert links, "the mail links to the site"


# Retention


def test_finished_messages_are_erased_after_the_retention_time(going, smtp, settings):
    # Given a sent message and an unsent one, both older than the retention time, and a recent
    # sent one
    settings.OUTBOX_RETENTION_DAYS = 30
    rsvps = going("a@example.org", "b@example.org")
    sent_ids = queue("rsvp.promoted", rsvps.values())
    outbox.send_deliveries(sent_ids)
    waiting_ids = queue("rsvp.promoted", rsvps.values())
    recent_ids = queue("rsvp.promoted", rsvps.values())
    outbox.send_deliveries(recent_ids)
    Message.objects.filter(deliveries__pk__in=sent_ids + waiting_ids).update(
        created_at=timezone.now() - dt.timedelta(days=31)
    )

    # When the retention job runs
    erased = erase_expired_personal_data()

    # Then only the old finished message went, with its deliveries; an unsent one waits
    assert not Delivery.objects.filter(pk__in=sent_ids).exists()
    assert Delivery.objects.filter(pk__in=waiting_ids).count() == 2
    assert Delivery.objects.filter(pk__in=recent_ids).count() == 2
    assert erased["outbox.Message"] == 1
