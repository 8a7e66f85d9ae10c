"""The outbox's backlog for the operator's console."""

import datetime as dt

import pytest
from django.utils import timezone

from streetwave.outbox.models import Delivery, Message
from streetwave.outbox.queries import outbox_backlog

pytestmark = pytest.mark.django_db


def deliver(message, number, status, *, error="", age=None):
    delivery = Delivery.objects.create(
        message=message, recipient=f"user:{number}", status=status, last_error=error
    )
    if age is not None:
        Delivery.objects.filter(pk=delivery.pk).update(created_at=timezone.now() - age)
    return delivery


def test_an_empty_outbox_has_no_backlog(django_assert_num_queries):
    with django_assert_num_queries(1):
        backlog = outbox_backlog()

    assert (backlog.queued, backlog.retrying, backlog.sending, backlog.failed) == (0, 0, 0, 0)
    assert backlog.oldest_queued_at is None


def test_the_backlog_counts_each_state_in_one_query(django_assert_num_queries):
    # given a message with deliveries in every state
    message = Message.objects.create(kind="test.kind", key="k")
    deliver(message, 1, Delivery.Status.QUEUED)
    deliver(
        message,
        2,
        Delivery.Status.QUEUED,
        error="SMTPServerDisconnected",
        age=dt.timedelta(hours=3),
    )
    deliver(message, 3, Delivery.Status.SENDING)
    deliver(message, 4, Delivery.Status.FAILED, error="lease expired", age=dt.timedelta(days=2))
    deliver(message, 5, Delivery.Status.SENT, age=dt.timedelta(days=3))
    deliver(message, 6, Delivery.Status.SKIPPED, age=dt.timedelta(days=4))

    # when the backlog is asked for
    with django_assert_num_queries(1):
        backlog = outbox_backlog()

    # then each state is counted apart, and the oldest waiting one is the one retried
    assert (backlog.queued, backlog.retrying, backlog.sending, backlog.failed) == (1, 1, 1, 1)
    age = timezone.now() - backlog.oldest_queued_at
    assert dt.timedelta(hours=3) <= age < dt.timedelta(hours=3, minutes=1)
