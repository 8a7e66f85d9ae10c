"""Supporters stop a campaign's news with one click (RFC 8058): the link and the headers are in
every mail to them; a POST without any token or cookie stops it for every RSVP of that address in
the campaign; a GET (what mail scanners do) changes nothing; the next broadcast, and any mail
still queued, skip them."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail, signing
from django.test import Client

from streetwave.actions.models import RSVP
from streetwave.actions.news_links import unsubscribe_token
from streetwave.broadcasts import services
from streetwave.broadcasts.models import Broadcast
from streetwave.outbox.models import Delivery

from . import test_broadcasts as broadcasts_fixtures
from .test_broadcasts import TEXTS

# The small world of the broadcast tests: an action and its supporters (the campaign and its
# coordinator come from the root conftest).
action = broadcasts_fixtures.action
supporter = broadcasts_fixtures.supporter

pytestmark = pytest.mark.django_db


def send(campaign, actor):
    return services.create_broadcast(
        campaign, audience=Broadcast.Audience.SUPPORTERS, texts=TEXTS, actor=actor
    )


def news(email) -> list[bool]:
    from streetwave.core.crypto import blind_index

    return list(
        RSVP.objects.filter(contact_index=blind_index(email))
        .order_by("id")
        .values_list("campaign_news", flat=True)
    )


@pytest.fixture
def mailed(campaign, coordinator, supporter, django_capture_on_commit_callbacks):
    """One supporter's broadcast mail, and the path of its unsubscribe link."""
    supporter("fan@example.org", language="fa")
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        send(campaign, coordinator)
    (message,) = mail.outbox
    return message


def one_click_path(message) -> str:
    header = message.extra_headers["List-Unsubscribe"]
    return urlsplit(header.strip("<>")).path


def test_every_supporter_mail_offers_one_click_unsubscribing(mailed):
    # Then the headers of RFC 8058 are there, pointing at the link in the text
    header = mailed.extra_headers["List-Unsubscribe"]
    assert re.fullmatch(r"<http://[^>]+/fa/news/unsubscribe/[\w.-]+/>", header)
    assert mailed.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert header.strip("<>") in mailed.body
    # Only the address's owner is in the mail
    assert mailed.to == ["fan@example.org"]
    assert "fan@example.org" not in header


def test_hubs_mail_has_no_unsubscribe_header(
    campaign,
    coordinator,
    make_hub,
    make_action,
    make_member,
    django_capture_on_commit_callbacks,
):
    hub = make_hub()
    make_action(hub=hub, campaign=campaign)
    make_member(hub)
    with django_capture_on_commit_callbacks(execute=True):
        services.create_broadcast(
            campaign, audience=Broadcast.Audience.HUBS, texts=TEXTS, actor=coordinator
        )

    (message,) = mail.outbox
    assert "List-Unsubscribe" not in message.extra_headers


def test_a_one_click_post_without_a_csrf_token_stops_the_news_for_every_rsvp_of_the_address(
    mailed,
    supporter,
    make_action,
    campaign,
    make_campaign,
):
    # Given the same address RSVPed for another action of the campaign, and one of another
    # campaign, both asking for news
    supporter("fan@example.org", on=make_action(campaign=campaign, title="Second rally"))
    supporter("fan@example.org", on=make_action(campaign=make_campaign("other"), title="Other"))
    supporter("friend@example.org")
    assert news("fan@example.org") == [True, True, True]
    # When the mail program posts to the link, as RFC 8058 says: no cookie, no CSRF token
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        one_click_path(mailed),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    # Then both RSVPs of the campaign stop asking; the other campaign's and other people's stay
    assert response.status_code == 200
    assert news("fan@example.org") == [False, False, True]
    assert news("friend@example.org") == [True]
    # And a second click is harmless
    assert client.post(one_click_path(mailed)).status_code == 200
    assert news("fan@example.org") == [False, False, True]


def test_a_get_shows_a_button_and_changes_nothing(mailed):
    # Mail scanners and link previews open every link: that must not unsubscribe anyone
    response = Client().get(one_click_path(mailed))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'method="post"' in html and "<button" in html
    assert 'dir="rtl"' in html
    assert news("fan@example.org") == [True]
    # The page says nothing about the person or their action
    assert "fan@example.org" not in html and "Rally for freedom" not in html
    assert response["Cache-Control"].startswith("max-age=0")


def test_the_next_broadcast_skips_who_unsubscribed(
    mailed,
    campaign,
    coordinator,
    supporter,
    django_capture_on_commit_callbacks,
):
    supporter("friend@example.org")
    Client().post(one_click_path(mailed))
    mail.outbox = []

    with django_capture_on_commit_callbacks(execute=True):
        broadcast = send(campaign, coordinator)

    assert broadcast.recipient_count == 1
    assert [message.to for message in mail.outbox] == [["friend@example.org"]]


def test_a_mail_still_queued_when_they_unsubscribe_is_not_sent(
    campaign,
    coordinator,
    supporter,
    django_capture_on_commit_callbacks,
):
    fan = supporter("fan@example.org")
    supporter("friend@example.org")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        send(campaign, coordinator)

    Client().post(f"/en/news/unsubscribe/{unsubscribe_token(fan)}/")
    for callback in callbacks:
        callback()

    assert [message.to for message in mail.outbox] == [["friend@example.org"]]
    delivery = Delivery.objects.get(message__kind="broadcast", recipient=f"rsvp:{fan.pk}")
    assert delivery.status == Delivery.Status.SKIPPED


@pytest.mark.parametrize(
    "token",
    [
        "nonsense",
        "a" * 16 + ".forgedsignature",
        "x" * 200,
    ],
)
def test_a_bad_token_is_a_404(token, supporter):
    supporter("fan@example.org")
    client = Client()

    assert client.get(f"/en/news/unsubscribe/{token}/").status_code == 404
    assert client.post(f"/en/news/unsubscribe/{token}/").status_code == 404
    assert news("fan@example.org") == [True]


def test_a_token_signed_for_anything_else_is_a_404(supporter):
    fan = supporter("fan@example.org")
    # The same id signed with the site's key but another purpose
    elsewhere = signing.Signer(sep=".").sign(fan.public_id)
    tampered = unsubscribe_token(fan)[:-1] + ("A" if unsubscribe_token(fan)[-1] != "A" else "B")

    for token in (elsewhere, tampered):
        assert Client().post(f"/en/news/unsubscribe/{token}/").status_code == 404
    assert news("fan@example.org") == [True]


def test_withdrawing_is_audited_with_a_count_and_nothing_about_the_person(mailed):
    from streetwave.audit.models import AuditEntry

    Client().post(one_click_path(mailed))

    entry = AuditEntry.objects.get(verb="campaign.news_withdrawn")
    assert entry.data == {"rsvps": 1}
    assert entry.actor is None
