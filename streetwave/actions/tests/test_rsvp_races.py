"""RSVPs, cancels and promotions racing each other on PostgreSQL, with real threads.

SQLite serializes every writer, so these races exist only on PostgreSQL; each test skips there.
"""

import threading

import pytest
from django.core.cache import cache
from django.db import connection, connections

from streetwave.actions import services
from streetwave.actions.models import RSVP
from streetwave.campaigns.models import CampaignCounter

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serializes every writer")


def rsvp(action, email):
    return services.create_rsvp(action, email=email, language="en", consent=True)


def run_together(work, count):
    """Run work(i) for i in range(count) in as many threads, released at once; the errors."""
    barrier = threading.Barrier(count)
    errors = []

    def run(i):
        try:
            barrier.wait()
            work(i)
        except Exception as exc:  # collected and asserted by the caller
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_cancels_on_many_actions_of_one_campaign_never_deadlock(make_action, make_campaign):
    # given 40 full actions of one campaign, each with one person going and one waiting
    campaign = make_campaign()
    actions = [make_action(campaign=campaign, capacity=1) for _ in range(40)]
    going = []
    for n, action in enumerate(actions):
        rsvp(action, f"going{n}@example.org")
        rsvp(action, f"waiting{n}@example.org")
        going.append(RSVP.objects.get(action=action, status=RSVP.Status.GOING))

    # when everyone going cancels at the same moment
    errors = run_together(lambda i: services.cancel_rsvp(going[i]), len(going))

    # then every cancel went through and every waiting person has the seat
    assert errors == []
    for action in actions:
        statuses = sorted(RSVP.objects.filter(action=action).values_list("status", flat=True))
        assert statuses == ["cancelled", "going"]
    totals = CampaignCounter.totals(campaign.pk)
    assert totals == {"going": 40, "waitlisted": 0, "cancelled": 40}


def test_nobody_waits_beside_a_seat_freed_while_they_joined_the_waitlist(make_action):
    # given actions of three seats, full, with their three people about to cancel
    for _round in range(5):
        action = make_action(capacity=3)
        for n in range(3):
            rsvp(action, f"first{n}-{action.pk}@example.org")
        first = list(RSVP.objects.filter(action=action))

        # when three cancel while six newcomers RSVP, all at once
        def work(i, action=action, first=first):
            if i < 3:
                services.cancel_rsvp(first[i])
            else:
                rsvp(action, f"new{i}-{action.pk}@example.org")

        errors = run_together(work, 9)

        # then all three seats are taken again, and only the rest wait
        assert errors == []
        action.refresh_from_db()
        live = RSVP.objects.filter(action=action, status__in=RSVP.LIVE)
        assert live.filter(status=RSVP.Status.GOING).count() == 3
        assert live.filter(status=RSVP.Status.WAITLISTED).count() == 3
        assert (action.going_count, action.waitlisted_count) == (3, 3)


def test_ten_clicks_of_one_address_at_once_make_one_rsvp(make_action):
    # given an action with seats for everyone
    action = make_action(capacity=100)

    # when one address is sent ten times at the same moment (a double click, a resend)
    errors = run_together(lambda i: rsvp(action, "same@example.org"), 10)

    # then one RSVP holds one seat
    assert errors == []
    action.refresh_from_db()
    assert RSVP.objects.filter(action=action).count() == 1
    assert action.going_count == 1


def test_an_rsvp_again_while_the_old_one_is_cancelled_is_kept(make_action):
    # given twenty people, each with an RSVP made long ago
    actions = [make_action() for _ in range(20)]
    old = []
    for action in actions:
        rsvp(action, "again@example.org")
        old.append(RSVP.objects.get(action=action))
    cache.clear()  # long ago: no longer a resend of the same request

    # when each cancels it and RSVPs again at the same moment (two tabs, a changed mind)
    def work(i):
        if i % 2:
            services.cancel_rsvp(old[i // 2])
        else:
            rsvp(actions[i // 2], "again@example.org")

    errors = run_together(work, 40)

    # then each of them holds a live RSVP: the new one was never swallowed by the old
    assert errors == []
    for action in actions:
        assert RSVP.objects.filter(action=action, status__in=RSVP.LIVE).count() == 1
