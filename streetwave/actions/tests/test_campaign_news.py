"""Asking for news of the campaign when RSVPing: offered only for actions of a campaign, started
only by the link mailed to the address (double opt-in: nobody can sign up someone else's
address), and never an oracle."""

import re

import pytest
from django.core import mail
from django.core.cache import cache

from streetwave.actions import services
from streetwave.actions.models import RSVP
from streetwave.core.testing import without_csrf_tokens

pytestmark = pytest.mark.django_db

FORM = {"pseudonym": "", "email": "", "language": "en", "consent": "on"}


def post_rsvp(client, action, **fields):
    return client.post(f"/en/a/{action.public_id}/rsvp/", {**FORM, **fields})


def test_the_checkbox_is_offered_only_for_an_action_of_a_campaign(
    client, make_action, make_campaign
):
    in_campaign = make_action(campaign=make_campaign())
    alone = make_action(title="A vigil of our own")

    page = client.get(f"/en/a/{in_campaign.public_id}/").content.decode()
    assert 'name="campaign_news"' in page
    assert "Streets for freedom" in page and "with one click" in page
    assert 'name="campaign_news"' not in client.get(f"/en/a/{alone.public_id}/").content.decode()


def news_link(message) -> str:
    found = re.search(r"http://\S+/news/confirm/\S+/", message.body)
    assert found, "no news confirmation link in the mail"
    return found[0]


def test_ticking_it_mails_a_link_that_starts_the_news_when_followed(
    client, make_action, make_campaign, django_capture_on_commit_callbacks
):
    # Given two RSVPs, one asking for the campaign's news
    action = make_action(campaign=make_campaign())
    with django_capture_on_commit_callbacks(execute=True):
        post_rsvp(client, action, email="news@example.org", campaign_news="on")
        post_rsvp(client, action, email="quiet@example.org")

    # Then nothing starts yet, and only the one who asked gets a confirmation link
    assert not RSVP.objects.filter(campaign_news=True).exists()
    by_address = {message.to[0]: message for message in mail.outbox}
    link = news_link(by_address["news@example.org"])
    assert "/news/confirm/" not in by_address["quiet@example.org"].body

    # When the link is opened (as a mail scanner would), nothing changes; when its button is
    # pressed, the news start, once
    assert "Send me the news" in client.get(link).content.decode()
    assert not RSVP.objects.filter(campaign_news=True).exists()
    assert client.post(link).status_code == 200
    assert client.post(link).status_code == 200
    news = {rsvp.contact: rsvp.campaign_news for rsvp in RSVP.objects.all()}
    assert news == {"news@example.org": True, "quiet@example.org": False}


def test_a_forged_or_misused_news_link_is_a_404(client, make_action, make_campaign):
    from streetwave.actions.news_links import unsubscribe_token

    action = make_action(campaign=make_campaign())
    services.create_rsvp(action, email="a@example.org", language="en", consent=True)
    rsvp = RSVP.objects.get()

    # an unsubscribe token is no news confirmation, and a made-up one is nothing
    for token in (unsubscribe_token(rsvp), f"{rsvp.public_id}.forged"):
        assert client.post(f"/en/news/confirm/{token}/").status_code == 404
    assert RSVP.objects.get().campaign_news is False


def test_news_need_an_email(client, make_action, make_campaign):
    action = make_action(campaign=make_campaign())

    response = post_rsvp(client, action, campaign_news="on")

    assert response.status_code == 400
    assert "Give an email address to receive news" in response.content.decode()
    assert not RSVP.objects.exists()


def test_an_action_outside_a_campaign_offers_no_news_by_mail(
    make_action, django_capture_on_commit_callbacks
):
    action = make_action()

    with django_capture_on_commit_callbacks(execute=True):
        services.create_rsvp(
            action, email="a@example.org", language="en", consent=True, campaign_news=True
        )

    [message] = mail.outbox
    assert "/news/confirm/" not in message.body


def test_someone_else_asking_for_news_for_an_address_changes_nothing_and_tells_nothing(
    client, make_action, make_campaign, django_capture_on_commit_callbacks
):
    # Given an RSVP without news
    action = make_action(campaign=make_campaign())
    first = without_csrf_tokens(post_rsvp(client, action, email="same@example.org").content)
    cache.clear()  # later: not the same request sent again

    # When anyone RSVPs again with the same address asking for news
    with django_capture_on_commit_callbacks(execute=True):
        second = without_csrf_tokens(
            post_rsvp(client, action, email="same@example.org", campaign_news="on").content
        )

    # Then the answer is the same, nothing starts, and only the address gets the link
    assert first == second
    assert not RSVP.objects.filter(campaign_news=True).exists()
    [message] = mail.outbox
    assert message.to == ["same@example.org"] and news_link(message)
    receipts = [
        services.create_rsvp(
            action, email="same@example.org", language="en", consent=True, campaign_news=news
        )
        for news in (True, False)
    ]
    new = services.create_rsvp(
        action, email="other@example.org", language="en", consent=True, campaign_news=True
    )
    assert receipts[0] == receipts[1]
    assert (new.token, new.emailed) == (receipts[0].token, receipts[0].emailed)
