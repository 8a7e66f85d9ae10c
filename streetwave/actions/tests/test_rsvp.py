import datetime as dt
import io
import threading

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection, connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from streetwave.actions import services
from streetwave.actions.models import RSVP, Action
from streetwave.audit.services import erase_expired_personal_data
from streetwave.campaigns.models import CampaignCounter
from streetwave.core.errors import DomainError
from streetwave.core.ids import hash_token

pytestmark = pytest.mark.django_db


def rsvp(action, email="", pseudonym="", language="en"):
    return services.create_rsvp(
        action, pseudonym=pseudonym, email=email, language=language, consent=True
    )


def test_an_rsvp_without_email_gets_a_token_once_and_counts(make_action, make_campaign):
    action = make_action(campaign=make_campaign())
    receipt = rsvp(action, pseudonym="Sara")
    action.refresh_from_db()
    assert receipt.token and not receipt.emailed
    assert action.going_count == 1
    assert CampaignCounter.totals(action.campaign_id)["going"] == 1
    stored = RSVP.objects.get()
    assert stored.status == "going" and stored.manage_token_hash != receipt.token


@pytest.mark.django_db(transaction=True)
def test_an_rsvp_with_email_sends_the_manage_link_in_the_chosen_language(make_action):
    action = make_action()
    receipt = rsvp(action, email="Parisa@Example.org", language="fa")
    assert receipt.token is None and receipt.emailed
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["Parisa@Example.org"]
    assert "/fa/rsvp/" in message.body


@pytest.mark.django_db(transaction=True)
def test_the_same_email_sent_again_at_once_makes_one_rsvp_and_the_same_answer(make_action):
    action = make_action()
    first = rsvp(action, email="omid@example.org", pseudonym="Omid")
    second = rsvp(action, email=" OMID@example.org ", pseudonym="Someone else")
    assert first == second
    assert RSVP.objects.count() == 1
    assert RSVP.objects.get().pseudonym == "Omid"
    action.refresh_from_db()
    assert action.going_count == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_whether_an_address_had_rsvped_shows_nowhere(make_action, client):
    """The oracle: fill an action with your own RSVPs, free one seat, RSVP the target's address,
    then look whether the action is full, or whether your next RSVP still gets a seat."""

    def probe(target_rsvped_before):
        # given a full action of ten, with or without the target among those going
        action = make_action(capacity=10)
        if target_rsvped_before:
            rsvp(action, email="target@example.org")
            cache.clear()  # a day passes
        mine = [rsvp(action, pseudonym="mine") for _ in range(10 - RSVP.objects.count())]
        services.cancel_rsvp(RSVP.objects.get(manage_token_hash=hash_token(mine[0].token)))
        # when the prober RSVPs the target's address, then once more for themselves
        answer = rsvp(action, email="target@example.org")
        full = client.get(f"/api/v1/actions/{action.public_id}").json()["is_full"]
        next_one = rsvp(action, pseudonym="next")
        next_status = RSVP.objects.get(manage_token_hash=hash_token(next_one.token)).status
        RSVP.objects.all().delete()
        return answer.token, answer.emailed, full, next_status

    # then both leave the same trace
    assert probe(False) == probe(True) == (None, True, True, "waitlisted")


@pytest.mark.parametrize("ending", ["called off", "over"])
@pytest.mark.django_db(transaction=True)
def test_nobody_is_told_a_place_is_free_at_an_action_that_will_not_happen(
    make_action, make_member, ending
):
    # given a full action with one person waiting
    action = make_action(capacity=1)
    rsvp(action, email="going@example.org")
    rsvp(action, email="waiting@example.org")
    going = RSVP.objects.get(status=RSVP.Status.GOING)
    # and the action called off, or over
    if ending == "called off":
        services.cancel_action(action, actor=make_member(action.hub))
    else:
        Action.objects.filter(pk=action.pk).update(
            starts_at=action.starts_at - dt.timedelta(days=3),
            ends_at=action.ends_at - dt.timedelta(days=3),
        )
    mail.outbox.clear()

    # when the person going cancels
    services.cancel_rsvp(going)

    # then the one waiting stays where they were, and gets no "a place is free for you"
    assert RSVP.objects.get(status=RSVP.Status.WAITLISTED)
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_full_actions_waitlist_and_a_cancel_promotes_the_first_in_line(make_action):
    action = make_action(capacity=2)
    receipts = [rsvp(action, pseudonym=f"p{i}", email=f"p{i}@example.org") for i in range(4)]
    assert all(r.emailed for r in receipts)
    statuses = dict(RSVP.objects.values_list("pseudonym", "status"))
    assert statuses == {"p0": "going", "p1": "going", "p2": "waitlisted", "p3": "waitlisted"}

    mail.outbox.clear()
    services.cancel_rsvp(RSVP.objects.get(pseudonym="p0"))

    statuses = dict(RSVP.objects.values_list("pseudonym", "status"))
    assert statuses == {"p0": "cancelled", "p1": "going", "p2": "going", "p3": "waitlisted"}
    action.refresh_from_db()
    assert (action.going_count, action.waitlisted_count, action.cancelled_count) == (2, 1, 1)
    assert [m.to for m in mail.outbox] == [["p2@example.org"]]


def test_cancelling_twice_changes_nothing(make_action):
    action = make_action()
    rsvp(action)
    one = RSVP.objects.get()
    services.cancel_rsvp(one)
    services.cancel_rsvp(one)
    action.refresh_from_db()
    assert (action.going_count, action.cancelled_count) == (0, 1)


def test_rsvp_needs_consent_and_an_open_action(make_action):
    with pytest.raises(DomainError) as missing:
        services.create_rsvp(make_action(), language="en", consent=False)
    assert missing.value.field == "consent"
    with pytest.raises(DomainError):
        rsvp(make_action(status=Action.Status.CANCELLED))
    assert RSVP.objects.count() == 0


def test_the_database_never_holds_a_raw_email(make_action):
    action = make_action()
    rsvp(action, email="canary-7f3a@example.org", pseudonym="x")
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM actions_rsvp")
        rows = cursor.fetchall()
    flat = " ".join(str(value) for row in rows for value in row).lower()
    assert "canary-7f3a" not in flat and "example.org" not in flat
    assert RSVP.objects.get().contact == "canary-7f3a@example.org"


def test_key_rotation_reencrypts_stored_contacts(make_action, settings):
    from cryptography.fernet import Fernet
    from django.core.management import call_command

    rsvp(make_action(), email="rotate@example.org")
    settings.FIELD_ENCRYPTION_KEYS = [
        Fernet.generate_key().decode(),
        *settings.FIELD_ENCRYPTION_KEYS,
    ]
    call_command("rotate_field_keys", stdout=io.StringIO())
    settings.FIELD_ENCRYPTION_KEYS = settings.FIELD_ENCRYPTION_KEYS[:1]
    assert RSVP.objects.get().contact == "rotate@example.org"


def recount(action):
    statuses = list(RSVP.objects.filter(action=action).values_list("status", flat=True))
    return {s: statuses.count(s) for s in ("going", "waitlisted", "cancelled")}


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    capacity=st.one_of(st.none(), st.integers(min_value=0, max_value=4)),
    steps=st.lists(
        st.one_of(
            st.tuples(st.just("rsvp"), st.integers(min_value=0, max_value=5)),
            st.tuples(st.just("cancel"), st.integers(min_value=0, max_value=20)),
            st.tuples(st.just("rejoin"), st.integers(min_value=0, max_value=20)),
        ),
        max_size=25,
    ),
)
def test_counters_and_tally_equal_a_recount_after_any_sequence(
    make_action, make_campaign, capacity, steps
):
    from django.core.cache import cache

    from streetwave.campaigns.tally import get_public_tally
    from streetwave.core.ids import new_public_id

    campaign = make_campaign(slug=new_public_id())
    action = make_action(campaign=campaign, capacity=capacity)
    for verb, n in steps:
        if verb == "rsvp":
            # Emails 0-4 collide on purpose (duplicates); 5 means no email at all.
            rsvp(action, email=f"person{n}@example.org" if n < 5 else "")
        elif verb == "cancel":
            live = list(RSVP.objects.filter(action=action, status__in=RSVP.LIVE))
            if live:
                services.cancel_rsvp(live[n % len(live)])
        else:
            # Creating, cancelling, promoting and rejoining all change the counters one way.
            cancelled = list(RSVP.objects.filter(action=action, status=RSVP.Status.CANCELLED))
            if cancelled:
                services.rejoin_rsvp(cancelled[n % len(cancelled)])
    action.refresh_from_db()
    counted = recount(action)
    assert (action.going_count, action.waitlisted_count, action.cancelled_count) == (
        counted["going"],
        counted["waitlisted"],
        counted["cancelled"],
    )
    if capacity is not None:
        assert counted["going"] <= capacity
        # Nobody waits while a seat is free.
        assert counted["waitlisted"] == 0 or counted["going"] == capacity
    totals = CampaignCounter.totals(campaign.pk)
    assert totals == counted
    cache.clear()
    assert get_public_tally(campaign.slug)["going"] == counted["going"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_rsvps_never_oversell(make_action):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serializes every writer")
    action = make_action(capacity=5)
    barrier = threading.Barrier(12)
    errors = []

    def worker(i):
        try:
            barrier.wait()
            rsvp(action, email=f"c{i % 10}@example.org")
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    action.refresh_from_db()
    counted = recount(action)
    # Ten distinct addresses, 24 requests: one live RSVP per address, five seats.
    assert counted == {"going": 5, "waitlisted": 5, "cancelled": 0}
    assert (action.going_count, action.waitlisted_count) == (5, 5)


def test_personal_fields_are_erased_after_the_retention_period(make_action):
    from django.utils import timezone

    action = make_action(starts_in=dt.timedelta(hours=1))
    rsvp(action, email="old@example.org", pseudonym="Old")
    later = timezone.now() + dt.timedelta(days=29)
    assert "actions.RSVP" not in erase_expired_personal_data(now=later)
    erased_now = erase_expired_personal_data(now=later + dt.timedelta(days=2))
    assert erased_now["actions.RSVP"] == 1
    erased = RSVP.objects.get()
    assert (erased.pseudonym, erased.contact, erased.contact_index) == ("", "", "")
    assert erased.status == "going"
    action.refresh_from_db()
    assert action.going_count == 1
