"""Opting in to news of the campaign when RSVPing: asked only for actions of a campaign, stored
on the RSVP, turned on (never off) by a repeated RSVP, and never an oracle."""

import re

import pytest
from django.core import mail

from streetwave.actions import services
from streetwave.actions.models import RSVP

pytestmark = pytest.mark.django_db

FORM = {"pseudonym": "", "email": "", "language": "en", "consent": "on"}
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


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


def test_ticking_it_stores_the_yes_and_the_mail_confirms_it(
    client, make_action, make_campaign, django_capture_on_commit_callbacks
):
    action = make_action(campaign=make_campaign())

    with django_capture_on_commit_callbacks(execute=True):
        post_rsvp(client, action, email="news@example.org", campaign_news="on")
        post_rsvp(client, action, email="quiet@example.org")

    news = {rsvp.contact: rsvp.campaign_news for rsvp in RSVP.objects.all()}
    assert news == {"news@example.org": True, "quiet@example.org": False}
    by_address = {message.to[0]: message.body for message in mail.outbox}
    assert "news of the campaign" in by_address["news@example.org"]
    assert "news of the campaign" not in by_address["quiet@example.org"]


def test_news_need_an_email(client, make_action, make_campaign):
    action = make_action(campaign=make_campaign())

    response = post_rsvp(client, action, campaign_news="on")

    assert response.status_code == 400
    assert "Give an email address to receive news" in response.content.decode()
    assert not RSVP.objects.exists()


def test_an_action_outside_a_campaign_stores_no_yes(make_action):
    action = make_action()

    services.create_rsvp(
        action, email="a@example.org", language="en", consent=True, campaign_news=True
    )

    assert RSVP.objects.get().campaign_news is False


def test_a_repeated_rsvp_turns_news_on_never_off_with_the_same_answer(
    client, make_action, make_campaign
):
    # Given an RSVP without news
    action = make_action(campaign=make_campaign())
    first = CSRF.sub("", post_rsvp(client, action, email="same@example.org").content.decode())

    # When the same address RSVPs again asking for news, then again without
    second = CSRF.sub(
        "",
        post_rsvp(client, action, email="same@example.org", campaign_news="on").content.decode(),
    )
    assert RSVP.objects.get().campaign_news is True
    third = CSRF.sub("", post_rsvp(client, action, email="same@example.org").content.decode())

    # Then the yes stays, there is still one RSVP, and the three answers are the same
    assert RSVP.objects.get().campaign_news is True
    assert first == second == third
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
