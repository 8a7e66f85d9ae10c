"""Broadcasts: coordinators write to their campaign's hubs or to the supporters who asked for its
news; more than 50 people need a second coordinator; scheduled ones go once, after their time;
each person reads their own language; hubs confirm reading, and coordinators see counts per hub,
never names. Only the mail server is replaced (Django's in-memory outbox)."""

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone

from streetwave.actions import services as actions
from streetwave.actions.models import RSVP
from streetwave.actions.tests import conftest as actions_fixtures
from streetwave.approvals.errors import AlreadyDecided, RequesterCannotApprove
from streetwave.audit.models import AuditEntry
from streetwave.broadcasts import services, tasks
from streetwave.broadcasts.audiences import acknowledgements_by_hub
from streetwave.broadcasts.models import APPROVAL_THRESHOLD, Acknowledgement, Broadcast
from streetwave.broadcasts.queries import broadcasts_to_acknowledge, broadcasts_to_approve
from streetwave.core.crypto import blind_index
from streetwave.core.errors import NotAllowed
from streetwave.hubs import services as hub_services
from streetwave.hubs.models import Membership, Participation
from streetwave.outbox.models import Delivery

pytestmark = pytest.mark.django_db

# Moves Django's clock forward without sleeping, as in the actions tests.
clock = actions_fixtures.clock

TEXTS = {
    "en": {"subject": "Bring candles", "body": "Everyone brings a candle on Saturday."},
    "fa": {"subject": "شمع بیاورید", "body": "همه روز شنبه شمع بیاورند."},
}
URL = re.compile(r"https?://[^\s<>\"']+")


# -- the small world of these tests (the campaign and its coordinators: the root conftest) --------


@pytest.fixture
def action(campaign, make_action):
    return make_action(campaign=campaign)


@pytest.fixture
def supporter(action):
    """An RSVP through the public service, asking for the campaign's news unless `news=False`."""

    def make(email, *, language="en", news=True, on=None):
        on = on or action
        actions.create_rsvp(on, email=email, language=language, consent=True)
        rsvp = RSVP.objects.get(action=on, contact_index=blind_index(email), status__in=RSVP.LIVE)
        if news:
            RSVP.objects.filter(pk=rsvp.pk).update(campaign_news=True)
            rsvp.refresh_from_db()
        return rsvp

    return make


@pytest.fixture
def supporters(supporter):
    def make(count, **extra):
        return [supporter(f"supporter{n}@example.org", **extra) for n in range(count)]

    return make


@pytest.fixture
def hub_of_campaign(campaign, make_hub, make_city, make_action):
    """An active hub with an action in the campaign: it takes part."""
    names = iter(range(1000))

    def make(name=None):
        n = next(names)
        hub = make_hub(name or f"Hub {n}", city=make_city(f"City {n}"))
        make_action(hub=hub, campaign=campaign, title=f"Rally {n}")
        return hub

    return make


@pytest.fixture
def led_hub(hub_of_campaign, make_member):
    """A hub of the campaign and its lead: (hub, lead)."""
    hub = hub_of_campaign()
    return hub, make_member(hub, Membership.Role.LEAD)


@pytest.fixture
def hub_person(make_member, make_user):
    """hub_person(hub, role=ORGANIZER, email=None, **fields): a new user in `hub`, with `fields`
    (a language, a display name)."""

    def make(hub, role=Membership.Role.ORGANIZER, email=None, **fields):
        return make_member(hub, role, user=make_user(email, **fields))

    return make


def send(campaign, actor, *, audience=Broadcast.Audience.SUPPORTERS, texts=TEXTS, **extra):
    return services.create_broadcast(campaign, audience=audience, texts=texts, actor=actor, **extra)


def broadcast_mails():
    return [
        message
        for message in mail.outbox
        if "Bring candles" in message.subject or "شمع" in message.subject
    ]


# -- the two-person rule ----------------------------------------------------------------------


def test_a_broadcast_to_fifty_supporters_goes_at_once(
    campaign, coordinator, supporters, django_capture_on_commit_callbacks
):
    # Given exactly APPROVAL_THRESHOLD supporters who asked for the campaign's news
    supporters(APPROVAL_THRESHOLD)
    # When a coordinator broadcasts to them
    with django_capture_on_commit_callbacks(execute=True):
        broadcast = send(campaign, coordinator)
    # Then it is sent at once, one mail to each, each to one address only
    assert broadcast.status == Broadcast.Status.SENT
    assert broadcast.recipient_count == APPROVAL_THRESHOLD
    sent = broadcast_mails()
    assert len(sent) == APPROVAL_THRESHOLD
    assert all(len(message.recipients()) == 1 for message in sent)
    assert {message.to[0] for message in sent} == {
        f"supporter{n}@example.org" for n in range(APPROVAL_THRESHOLD)
    }


def test_a_broadcast_to_fifty_one_is_held_and_nothing_is_sent(
    campaign, coordinator, supporters, django_capture_on_commit_callbacks
):
    supporters(APPROVAL_THRESHOLD + 1)

    with django_capture_on_commit_callbacks(execute=True):
        broadcast = send(campaign, coordinator)

    assert broadcast.status == Broadcast.Status.HELD
    assert broadcast.recipient_count == APPROVAL_THRESHOLD + 1
    assert broadcast.message is None
    assert broadcast_mails() == []
    assert not Delivery.objects.filter(message__kind="broadcast").exists()


def test_the_author_cannot_approve_their_own_broadcast(
    client, login, campaign, coordinator, supporters, django_capture_on_commit_callbacks
):
    supporters(APPROVAL_THRESHOLD + 1)
    broadcast = send(campaign, coordinator)
    login(client, coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/en/manage/campaigns/{campaign.slug}/broadcasts/{broadcast.public_id}/approve/",
            follow=True,
        )

    assert response.status_code == 200
    assert "A second person must approve this: you asked for it yourself." in (
        response.content.decode()
    )
    broadcast.refresh_from_db()
    assert broadcast.status == Broadcast.Status.HELD
    assert broadcast_mails() == []
    with pytest.raises(RequesterCannotApprove):
        services.approve_broadcast(broadcast, actor=coordinator)


def test_a_second_coordinator_approves_and_everyone_is_mailed(
    client,
    login,
    campaign,
    coordinator,
    second_coordinator,
    supporters,
    django_capture_on_commit_callbacks,
):
    supporters(APPROVAL_THRESHOLD + 1)
    broadcast = send(campaign, coordinator)
    login(client, second_coordinator)
    # The detail page offers the second coordinator the button, and shows where links lead
    page = client.get(f"/en/manage/campaigns/{campaign.slug}/broadcasts/{broadcast.public_id}/")
    assert "Approve" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/en/manage/campaigns/{campaign.slug}/broadcasts/{broadcast.public_id}/approve/"
        )

    assert response.status_code == 302
    broadcast.refresh_from_db()
    assert broadcast.status == Broadcast.Status.SENT
    assert broadcast.approved_by == second_coordinator
    assert len(broadcast_mails()) == APPROVAL_THRESHOLD + 1
    # Approving again is refused: it was sent already
    with pytest.raises(AlreadyDecided):
        services.approve_broadcast(broadcast, actor=second_coordinator)


def test_only_a_coordinator_of_the_campaign_may_approve(
    campaign, coordinator, supporters, make_campaign, make_coordinator, make_member, action
):
    supporters(APPROVAL_THRESHOLD + 1)
    broadcast = send(campaign, coordinator)
    for outsider in (
        make_coordinator(make_campaign("another")),
        make_member(action.hub, Membership.Role.LEAD),
    ):
        with pytest.raises(NotAllowed):
            services.approve_broadcast(broadcast, actor=outsider)
    broadcast.refresh_from_db()
    assert broadcast.status == Broadcast.Status.HELD


def test_only_coordinators_may_broadcast(campaign, make_member, action, supporters):
    supporters(1)
    lead = make_member(action.hub, Membership.Role.LEAD)

    with pytest.raises(NotAllowed):
        send(campaign, lead)

    assert not Broadcast.objects.exists()


# -- scheduling ------------------------------------------------------------------------------


def test_a_scheduled_broadcast_goes_only_after_its_time_and_only_once(
    campaign, coordinator, supporters, clock, django_capture_on_commit_callbacks
):
    # Given a broadcast scheduled in an hour
    supporters(3)
    broadcast = send(campaign, coordinator, send_at=timezone.now() + dt.timedelta(hours=1))
    assert broadcast.status == Broadcast.Status.SCHEDULED
    # When beat runs before its time, nothing goes
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_scheduled_broadcasts.delay().get() == 0
    assert broadcast_mails() == []
    # When its time has come and the task runs twice
    clock.advance(hours=1, seconds=1)
    with django_capture_on_commit_callbacks(execute=True):
        first = tasks.send_scheduled_broadcasts.delay().get()
        second = tasks.send_scheduled_broadcasts.delay().get()
    # Then it went once: one mail per supporter
    assert (first, second) == (1, 0)
    assert len(broadcast_mails()) == 3
    broadcast.refresh_from_db()
    assert broadcast.status == Broadcast.Status.SENT
    assert Delivery.objects.filter(message=broadcast.message).count() == 3


def test_a_broadcast_released_twice_is_queued_once(campaign, coordinator, supporters, clock):
    # Two runs that both got past the status check (the row lock is PostgreSQL's; SQLite runs
    # them one after the other): the outbox key stops the second.
    supporters(2)
    broadcast = send(campaign, coordinator, send_at=timezone.now() + dt.timedelta(minutes=5))
    clock.advance(minutes=6)
    assert services._send(broadcast, ["rsvp:1"], timezone.now())
    assert not services._send(broadcast, ["rsvp:1", "rsvp:2"], timezone.now())
    assert Delivery.objects.filter(message__kind="broadcast").count() == 1


def test_a_scheduled_broadcast_whose_audience_grew_past_the_threshold_is_held(
    campaign, coordinator, supporters, supporter, clock, django_capture_on_commit_callbacks
):
    supporters(APPROVAL_THRESHOLD)
    broadcast = send(campaign, coordinator, send_at=timezone.now() + dt.timedelta(hours=1))
    assert broadcast.status == Broadcast.Status.SCHEDULED
    supporter("late@example.org")
    clock.advance(hours=2)

    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_scheduled_broadcasts() == 0

    broadcast.refresh_from_db()
    assert broadcast.status == Broadcast.Status.HELD
    assert broadcast.recipient_count == APPROVAL_THRESHOLD + 1
    assert broadcast_mails() == []


def test_an_approved_broadcast_with_a_later_time_waits_for_it(
    campaign, coordinator, second_coordinator, supporters, clock, django_capture_on_commit_callbacks
):
    supporters(APPROVAL_THRESHOLD + 1)
    broadcast = send(campaign, coordinator, send_at=timezone.now() + dt.timedelta(hours=1))
    assert broadcast.status == Broadcast.Status.HELD

    with django_capture_on_commit_callbacks(execute=True):
        broadcast = services.approve_broadcast(broadcast, actor=second_coordinator)
    assert broadcast.status == Broadcast.Status.SCHEDULED
    assert broadcast_mails() == []
    clock.advance(hours=1, minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_scheduled_broadcasts() == 1

    # Approved once: the threshold is not asked again at its time
    assert len(broadcast_mails()) == APPROVAL_THRESHOLD + 1


def test_a_cancelled_broadcast_never_goes(
    campaign, coordinator, supporters, clock, django_capture_on_commit_callbacks
):
    supporters(2)
    broadcast = send(campaign, coordinator, send_at=timezone.now() + dt.timedelta(hours=1))

    services.cancel_broadcast(broadcast, actor=coordinator)
    clock.advance(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_scheduled_broadcasts() == 0

    broadcast.refresh_from_db()
    assert broadcast.status == Broadcast.Status.CANCELLED
    assert broadcast_mails() == []
    with pytest.raises(services.BroadcastNotCancellable):
        services.cancel_broadcast(broadcast, actor=coordinator)


def test_the_compose_form_reads_the_send_time_in_the_chosen_zone(
    client, login, campaign, coordinator, supporters
):
    supporters(1)
    login(client, coordinator)
    tomorrow = (timezone.now() + dt.timedelta(days=1)).date()

    response = client.post(
        f"/en/manage/campaigns/{campaign.slug}/broadcasts/new/",
        {
            "audience": "supporters",
            "subject_en": "Bring candles",
            "body_en": "Everyone brings a candle.",
            "send_date": tomorrow.isoformat(),
            "send_time": "18:30",
            "zone": "Asia/Tehran",
        },
    )

    assert response.status_code == 302
    broadcast = Broadcast.objects.get()
    assert broadcast.status == Broadcast.Status.SCHEDULED
    # Tehran is UTC+03:30 all year
    assert broadcast.send_at == dt.datetime.combine(tomorrow, dt.time(15, 0), tzinfo=dt.UTC)
    page = client.get(response["Location"]).content.decode()
    assert "15:00 (UTC+00:00)" in page


def test_a_send_time_in_the_past_is_refused(client, login, campaign, coordinator, supporters):
    supporters(1)
    login(client, coordinator)
    yesterday = (timezone.now() - dt.timedelta(days=1)).date()

    response = client.post(
        f"/en/manage/campaigns/{campaign.slug}/broadcasts/new/",
        {
            "audience": "supporters",
            "subject_en": "Bring candles",
            "body_en": "Everyone brings a candle.",
            "send_date": yesterday.isoformat(),
            "send_time": "10:00",
            "zone": "UTC",
        },
    )

    assert response.status_code == 400
    assert "This time has already passed" in response.content.decode()
    assert not Broadcast.objects.exists()


# -- audiences --------------------------------------------------------------------------------


def test_hubs_reach_each_organizer_of_the_hubs_that_answered_once(
    campaign, coordinator, hub_of_campaign, make_hub, make_city, make_member
):
    berlin, paris = hub_of_campaign("Berlin hub"), hub_of_campaign("Paris hub")
    lead = make_member(berlin, Membership.Role.LEAD)
    # In two hubs of the campaign: one mail
    make_member(paris, Membership.Role.ORGANIZER, user=lead)
    organizer = make_member(paris, Membership.Role.ORGANIZER)
    # Safety leads are organizers of their hub too
    safety_lead = make_member(berlin, Membership.Role.SAFETY_LEAD)
    # A hub that answered the call and has not planned yet takes part already
    answered = make_hub("Answered hub", city=make_city("Lyon"))
    answered_lead = make_member(answered, Membership.Role.LEAD)
    hub_services.answer_call(answered, campaign=campaign, actor=answered_lead)
    # Not reached: a member; an organizer of a hub that did not answer; a lead of a hub whose
    # answer still waits for a coordinator
    make_member(berlin, Membership.Role.MEMBER)
    make_member(make_hub("Elsewhere", city=make_city("Lille")), Membership.Role.ORGANIZER)
    waiting = make_hub("Waiting hub", city=make_city("Nantes"))
    make_member(waiting, Membership.Role.LEAD)
    Participation.objects.create(hub=waiting, campaign=campaign, state=Participation.State.PENDING)

    broadcast = send(campaign, coordinator, audience=Broadcast.Audience.HUBS)

    assert broadcast.recipient_count == 4
    assert set(broadcast.message.deliveries.values_list("recipient", flat=True)) == {
        f"user:{lead.pk}",
        f"user:{organizer.pk}",
        f"user:{safety_lead.pk}",
        f"user:{answered_lead.pk}",
    }


def test_a_safety_lead_reads_the_broadcast_in_their_language_and_confirms_it(
    client,
    login,
    campaign,
    coordinator,
    hub_of_campaign,
    make_member,
    make_user,
    django_capture_on_commit_callbacks,
):
    hub = hub_of_campaign()
    safety_lead = make_member(
        hub, Membership.Role.SAFETY_LEAD, user=make_user("safety@example.org", language="fa")
    )
    with django_capture_on_commit_callbacks(execute=True):
        broadcast = send(campaign, coordinator, audience=Broadcast.Audience.HUBS)

    [message] = [m for m in mail.outbox if m.to == ["safety@example.org"]]
    assert "همه روز شنبه شمع بیاورند." in message.body
    login(client, safety_lead)
    url = f"/en/manage/hubs/{hub.public_id}/broadcasts/{broadcast.public_id}/acknowledge/"
    assert client.post(url).status_code == 302
    assert Acknowledgement.objects.filter(broadcast=broadcast, user=safety_lead).exists()
    [row] = acknowledgements_by_hub(broadcast)
    assert (row["organizers"], row["organizers_acknowledged"]) == (1, 1)


def test_supporters_are_reached_once_per_address_and_only_if_they_asked(
    campaign, coordinator, supporter, make_action, action
):
    other_action = make_action(campaign=campaign, title="Another rally")
    first = supporter("twice@example.org", language="en")
    latest = supporter("twice@example.org", language="fa", on=other_action)
    supporter("no-news@example.org", news=False)
    cancelled = supporter("cancelled@example.org")
    actions.cancel_rsvp(cancelled)
    # An RSVP without an address cannot be written to
    actions.create_rsvp(action, language="en", consent=True)
    RSVP.objects.filter(contact_index="").update(campaign_news=True)

    broadcast = send(campaign, coordinator)

    assert broadcast.recipient_count == 1
    # The latest RSVP of the address speaks for it: its language is the one chosen last
    assert list(broadcast.message.deliveries.values_list("recipient", flat=True)) == [
        f"rsvp:{latest.pk}"
    ]
    assert first.pk != latest.pk


def test_a_broadcast_to_nobody_now_is_refused(campaign, coordinator):
    with pytest.raises(services.NoRecipients):
        send(campaign, coordinator)
    assert not Broadcast.objects.exists()


def test_texts_are_checked(campaign, coordinator, supporters):
    supporters(1)
    cases = [
        ({}, services.TextsMissing),
        ({"en": {"subject": "", "body": ""}}, services.TextsMissing),
        ({"en": {"subject": "Only a subject", "body": ""}}, services.TextIncomplete),
        ({"en": {"subject": "x" * 151, "body": "Hello"}}, services.TextTooLong),
        ({"en": {"subject": "Hello", "body": "x" * 10_001}}, services.TextTooLong),
        ({"xx": {"subject": "Hello", "body": "Hello"}}, services.UnknownLanguage),
    ]
    for texts, error in cases:
        with pytest.raises(error):
            send(campaign, coordinator, texts=texts)
    assert not Broadcast.objects.exists()
    # A subject is one line, whatever was typed
    broadcast = send(
        campaign, coordinator, texts={"en": {"subject": "Two\r\nlines", "body": "Hi\r\nyou"}}
    )
    assert broadcast.texts == {"en": {"subject": "Two lines", "body": "Hi\nyou"}}


def test_the_audit_log_has_counts_and_never_the_text(campaign, coordinator, supporters):
    supporters(2)

    send(campaign, coordinator)

    entry = AuditEntry.objects.get(verb="broadcast.sent")
    assert entry.data["recipients"] == 2
    logged = str(entry.data)
    assert "candle" not in logged and "Bring" not in logged


# -- languages --------------------------------------------------------------------------------


def test_each_recipient_reads_their_language_or_the_campaigns_first_with_a_text(
    campaign,
    coordinator,
    hub_of_campaign,
    hub_person,
    django_capture_on_commit_callbacks,
):
    hub = hub_of_campaign()
    readers = {
        language: hub_person(hub, email=f"{language}@example.org", language=language)
        for language in ("en", "fa", "de")
    }

    with django_capture_on_commit_callbacks(execute=True):
        send(campaign, coordinator, audience=Broadcast.Audience.HUBS)

    by_reader = {message.to[0]: message for message in mail.outbox}
    persian = by_reader[readers["fa"].email]
    assert "همه روز شنبه شمع بیاورند." in persian.body
    # The mail around it is the reader's: Persian, right to left, Persian links
    html = persian.alternatives[0][0]
    assert 'lang="fa" dir="rtl"' in html
    assert f"/fa/manage/hubs/{hub.public_id}/broadcasts/" in persian.body
    english = by_reader[readers["en"].email]
    assert "Everyone brings a candle on Saturday." in english.body
    # No German text: the campaign's first language with one (English), in a German mail
    german = by_reader[readers["de"].email]
    assert "Everyone brings a candle on Saturday." in german.body
    assert 'lang="de" dir="ltr"' in german.alternatives[0][0]
    assert f"/de/manage/hubs/{hub.public_id}/broadcasts/" in german.body


def test_a_text_in_one_language_reaches_everyone(
    campaign, coordinator, supporter, django_capture_on_commit_callbacks
):
    supporter("en@example.org", language="en")
    supporter("fa@example.org", language="fa")
    only_persian = {"fa": TEXTS["fa"]}

    with django_capture_on_commit_callbacks(execute=True):
        send(campaign, coordinator, texts=only_persian)

    assert len(mail.outbox) == 2
    assert all("همه روز شنبه شمع بیاورند." in message.body for message in mail.outbox)


def test_without_a_text_in_the_campaigns_languages_any_text_is_used(
    make_campaign,
    make_coordinator,
    make_action,
    make_hub,
    make_member,
    make_user,
    django_capture_on_commit_callbacks,
):
    campaign = make_campaign("english-only", languages=["en"])
    hub = make_hub()
    make_action(hub=hub, campaign=campaign)
    reader = make_member(hub, user=make_user("fa-reader@example.org", language="fa"))
    dutch = {"nl": {"subject": "Kaarsen", "body": "Iedereen brengt een kaars mee."}}

    with django_capture_on_commit_callbacks(execute=True):
        send(campaign, make_coordinator(campaign), audience=Broadcast.Audience.HUBS, texts=dutch)

    (message,) = mail.outbox
    assert message.to == [reader.email]
    assert "Iedereen brengt een kaars mee." in message.body


# -- recipients who changed meanwhile ------------------------------------------------------------


def test_an_organizer_removed_before_the_mail_goes_gets_nothing(
    campaign, coordinator, hub_of_campaign, make_member, django_capture_on_commit_callbacks
):
    hub = hub_of_campaign()
    stays = make_member(hub, Membership.Role.LEAD)
    removed = make_member(hub, Membership.Role.ORGANIZER)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        send(campaign, coordinator, audience=Broadcast.Audience.HUBS)
    Membership.objects.filter(user=removed).delete()
    for callback in callbacks:
        callback()

    assert [message.to for message in mail.outbox] == [[stays.email]]
    assert Delivery.objects.get(recipient=f"user:{removed.pk}").status == Delivery.Status.SKIPPED


# -- acknowledgements -------------------------------------------------------------------------


def test_hub_people_confirm_reading_and_the_coordinator_sees_counts_per_hub(
    client,
    login,
    campaign,
    coordinator,
    hub_of_campaign,
    hub_person,
    django_capture_on_commit_callbacks,
):
    # Given a broadcast to two hubs
    berlin, paris = hub_of_campaign("Berlin hub"), hub_of_campaign("Paris hub")
    lead = hub_person(berlin, Membership.Role.LEAD, display_name="SECRET-LEAD")
    hub_person(berlin, display_name="SECRET-ORG")
    hub_person(paris, email="paris-org@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        broadcast = send(campaign, coordinator, audience=Broadcast.Audience.HUBS)
    # When Berlin's lead opens the page their mail links to and confirms, twice
    login(client, lead)
    page = client.get(f"/en/manage/hubs/{berlin.public_id}/broadcasts/{broadcast.public_id}/")
    assert page.status_code == 200
    assert "Everyone brings a candle on Saturday." in page.content.decode()
    assert "I have read it" in page.content.decode()
    url = f"/en/manage/hubs/{berlin.public_id}/broadcasts/{broadcast.public_id}/acknowledge/"
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302
    # Then it is recorded once, and the page says so
    assert Acknowledgement.objects.filter(broadcast=broadcast).count() == 1
    page = client.get(f"/en/manage/hubs/{berlin.public_id}/broadcasts/{broadcast.public_id}/")
    assert "You confirmed reading it" in page.content.decode()
    # And the coordinator sees, per hub, who has not confirmed yet, by role, without names
    login(client, coordinator)
    html = client.get(
        f"/en/manage/campaigns/{campaign.slug}/broadcasts/{broadcast.public_id}/"
    ).content.decode()
    rows = {
        name: re.search(rf"<tr>\s*<td><bdi>{name}</bdi></td>(.*?)</tr>", html, re.S).group(1)
        for name in ("Berlin hub", "Paris hub")
    }
    assert "confirmed" in rows["Berlin hub"] and "none of 1 yet" in rows["Berlin hub"]
    assert "none of 1 yet" in rows["Paris hub"]
    assert "1 person has confirmed reading it." in html
    # Paris, where nobody confirmed, comes first
    assert html.index("Paris hub") < html.index("Berlin hub")
    assert "SECRET-" not in html and "@example.org" not in html


def test_the_hub_page_lists_what_the_hub_received(
    client, login, campaign, coordinator, hub_of_campaign, make_member, make_hub, make_city
):
    hub = hub_of_campaign()
    organizer = make_member(hub, Membership.Role.ORGANIZER)
    broadcast = send(campaign, coordinator, audience=Broadcast.Audience.HUBS)
    login(client, organizer)

    html = client.get(f"/en/manage/hubs/{hub.public_id}/broadcasts/").content.decode()

    assert "Bring candles" in html and "not confirmed yet" in html
    # A hub outside the campaign received nothing: its page is empty, the broadcast a 404
    other = make_hub("Other hub", city=make_city("Lyon"))
    make_member(other, Membership.Role.ORGANIZER, user=organizer)
    assert (
        "Bring candles"
        not in client.get(f"/en/manage/hubs/{other.public_id}/broadcasts/").content.decode()
    )
    assert (
        client.get(
            f"/en/manage/hubs/{other.public_id}/broadcasts/{broadcast.public_id}/"
        ).status_code
        == 404
    )
    with pytest.raises(services.NotReceived):
        services.acknowledge_broadcast(broadcast, hub=other, actor=organizer)


def test_broadcasts_to_supporters_are_not_on_hub_pages(
    client, login, campaign, coordinator, action, make_member, supporters
):
    supporters(1)
    broadcast = send(campaign, coordinator)
    lead = make_member(action.hub, Membership.Role.LEAD)
    login(client, lead)

    hub_id = action.hub.public_id
    response = client.get(f"/en/manage/hubs/{hub_id}/broadcasts/{broadcast.public_id}/")

    assert response.status_code == 404


def test_pages_are_404_for_anyone_without_the_permission(
    client,
    login,
    campaign,
    coordinator,
    action,
    make_member,
    make_campaign,
    make_coordinator,
    supporters,
):
    supporters(1)
    broadcast = send(campaign, coordinator)
    hub = action.hub
    coordinator_pages = [
        f"/en/manage/campaigns/{campaign.slug}/broadcasts/",
        f"/en/manage/campaigns/{campaign.slug}/broadcasts/new/",
        f"/en/manage/campaigns/{campaign.slug}/broadcasts/{broadcast.public_id}/",
        f"/en/manage/campaigns/{campaign.slug}/links/",
    ]
    for user in (
        make_member(hub, Membership.Role.LEAD),
        make_coordinator(make_campaign("another")),
    ):
        login(client, user)
        for url in coordinator_pages:
            assert client.get(url).status_code == 404, url
    # Hub pages are for the hub's leads, organizers and safety leads: not its members, not
    # coordinators
    for user in (make_member(hub, Membership.Role.MEMBER), coordinator):
        login(client, user)
        assert client.get(f"/en/manage/hubs/{hub.public_id}/broadcasts/").status_code == 404


# -- the dashboard ----------------------------------------------------------------------------


def test_a_held_broadcast_waits_on_the_other_coordinators_dashboard(
    campaign,
    coordinator,
    second_coordinator,
    supporters,
    make_coordinator,
    make_campaign,
    django_assert_max_num_queries,
):
    supporters(APPROVAL_THRESHOLD + 1)
    broadcast = send(campaign, coordinator)

    with django_assert_max_num_queries(1):
        items = broadcasts_to_approve(second_coordinator)

    assert len(items) == 1
    assert "51 supporters waits for your approval" in items[0].text
    assert items[0].url.endswith(f"/broadcasts/{broadcast.public_id}/")
    assert broadcasts_to_approve(coordinator) == []
    assert broadcasts_to_approve(make_coordinator(make_campaign("another"))) == []


def test_an_unconfirmed_broadcast_waits_on_the_hub_peoples_dashboard(
    campaign, coordinator, hub_of_campaign, make_member, django_assert_max_num_queries
):
    hub = hub_of_campaign()
    lead = make_member(hub, Membership.Role.LEAD)
    member = make_member(hub, Membership.Role.MEMBER)
    broadcast = send(campaign, coordinator, audience=Broadcast.Audience.HUBS)

    with django_assert_max_num_queries(1):
        items = broadcasts_to_acknowledge(lead)

    assert [item.url for item in items] == [
        f"/en/manage/hubs/{hub.public_id}/broadcasts/{broadcast.public_id}/"
    ]
    assert broadcasts_to_acknowledge(member) == []
    services.acknowledge_broadcast(broadcast, hub=hub, actor=lead)
    assert broadcasts_to_acknowledge(lead) == []


# -- pages --------------------------------------------------------------------------------------


def test_the_list_pages_take_the_same_queries_however_many_broadcasts(
    client,
    login,
    campaign,
    coordinator,
    led_hub,
    django_assert_max_num_queries,
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    hub, lead = led_hub
    pages = {
        coordinator: f"/en/manage/campaigns/{campaign.slug}/broadcasts/",
        lead: f"/en/manage/hubs/{hub.public_id}/broadcasts/",
    }

    def queries(user, url):
        login(client, user)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    send(campaign, coordinator, audience=Broadcast.Audience.HUBS)
    few = {user: queries(user, url) for user, url in pages.items()}
    for _ in range(5):
        send(campaign, coordinator, audience=Broadcast.Audience.HUBS)
    for user, url in pages.items():
        login(client, user)
        with django_assert_max_num_queries(few[user]):
            client.get(url)


def test_the_compose_page_shows_the_fields_of_every_campaign_language(
    client, login, campaign, coordinator
):
    login(client, coordinator)

    html = client.get(f"/en/manage/campaigns/{campaign.slug}/broadcasts/new/").content.decode()

    assert 'name="subject_en"' in html and 'name="body_fa"' in html
    assert 'name="zone"' in html and "Time zone of the send time" in html


def test_a_coordinator_writes_a_broadcast_to_the_hubs_through_the_page(
    client,
    login,
    campaign,
    coordinator,
    led_hub,
    django_capture_on_commit_callbacks,
):
    login(client, coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/en/manage/campaigns/{campaign.slug}/broadcasts/new/",
            {
                "audience": "hubs",
                "subject_fa": TEXTS["fa"]["subject"],
                "body_fa": TEXTS["fa"]["body"],
                "zone": "UTC",
            },
        )

    assert response.status_code == 302
    broadcast = Broadcast.objects.get()
    assert broadcast.texts == {"fa": TEXTS["fa"]}
    assert broadcast.status == Broadcast.Status.SENT
    assert len(mail.outbox) == 1
    html = client.get(response["Location"]).content.decode()
    assert "The broadcast is on its way." in html
    # The hub's lead has not confirmed yet
    assert "<strong>not yet</strong>" in html


def test_no_mail_of_a_broadcast_carries_a_link_that_signs_anyone_in(
    client,
    campaign,
    coordinator,
    led_hub,
    supporter,
    django_capture_on_commit_callbacks,
):
    supporter("fan@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        send(campaign, coordinator, audience=Broadcast.Audience.HUBS)
        send(campaign, coordinator)
    assert len(mail.outbox) == 2

    for message in mail.outbox:
        links = set(URL.findall(message.body)) | set(URL.findall(message.alternatives[0][0]))
        assert links, message.subject
        for link in links:
            # Only three kinds: the hub's organizer page, the campaign's page, the unsubscribe
            assert re.fullmatch(
                r"/en/(manage/hubs/\w+/broadcasts/\w+/|c/streets/|news/unsubscribe/[\w.-]+/)",
                urlsplit(link).path,
            ), link
            assert not urlsplit(link).query, link
    # The organizer page a hub's mail links to signs nobody in: it asks to sign in first
    (hub_mail,) = [message for message in mail.outbox if message.to != ["fan@example.org"]]
    (link,) = URL.findall(hub_mail.body)
    assert hub_mail.body.rstrip().endswith(link)
    response = client.get(urlsplit(link).path)
    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/login/")


def test_every_page_renders_right_to_left_in_persian(client, login, campaign, coordinator, led_hub):
    hub, lead = led_hub
    broadcast = send(campaign, coordinator, audience=Broadcast.Audience.HUBS)
    login(client, coordinator)
    for url in (
        f"/fa/manage/campaigns/{campaign.slug}/broadcasts/",
        f"/fa/manage/campaigns/{campaign.slug}/broadcasts/new/",
        f"/fa/manage/campaigns/{campaign.slug}/broadcasts/{broadcast.public_id}/",
        f"/fa/manage/campaigns/{campaign.slug}/links/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert 'dir="rtl"' in response.content.decode()
    login(client, lead)
    response = client.get(f"/fa/manage/hubs/{hub.public_id}/broadcasts/{broadcast.public_id}/")
    assert 'dir="rtl"' in response.content.decode()
    # The text is shown in the reader's language
    assert TEXTS["fa"]["body"] in response.content.decode()
