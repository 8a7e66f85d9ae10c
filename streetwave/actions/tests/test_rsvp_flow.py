"""After the RSVP form: post/redirect/get to a page that is safe to reload, bookmark and read in
another language; the private link page (status, recap, copy the link); cancelling only after a
confirmation; and RSVPing again with the same link."""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.utils import timezone

from streetwave.actions import services
from streetwave.actions.models import RSVP
from streetwave.audit.models import AuditEntry
from streetwave.campaigns.models import CampaignCounter

pytestmark = pytest.mark.django_db

FORM = {"pseudonym": "", "email": "", "language": "en", "consent": "on"}
LANGUAGES = ("en", "fa", "fr", "de", "nl")


def post_rsvp(client, action, language="en", **fields):
    return client.post(f"/{language}/a/{action.public_id}/rsvp/", {**FORM, **fields})


def language_links(html: str) -> list[str]:
    nav = re.search(r'<nav class="languages".*?</nav>', html, re.DOTALL)
    assert nav, "the page has no language switcher"
    return re.findall(r'href="([^"]+)"', nav[0])


def rsvp_link(action, **fields) -> tuple[RSVP, str]:
    """An RSVP without email made through the service, and its manage path."""
    receipt = services.create_rsvp(
        action, pseudonym=fields.get("pseudonym", ""), language="en", consent=True
    )
    assert receipt.token is not None
    return RSVP.objects.latest("created_at", "id"), f"/en/rsvp/{receipt.token}/"


def counts(action) -> tuple[int, int, int]:
    action.refresh_from_db()
    return action.going_count, action.waitlisted_count, action.cancelled_count


# -- post/redirect/get --------------------------------------------------------------------------


def test_an_rsvp_answers_303_to_the_manage_page_that_reloads_without_a_second_rsvp(
    client, make_action
):
    # given an action
    action = make_action()

    # when a supporter RSVPs without an email
    response = post_rsvp(client, action, language="fa", pseudonym="Leila")

    # then the answer sends the browser to their own manage link, in the page's language
    assert response.status_code == 303
    assert re.fullmatch(r"/fa/rsvp/[\w-]+/", response["Location"])
    assert "no-store" in response["Cache-Control"]

    # and opening it, then reloading it, makes no second RSVP
    first = client.get(response["Location"])
    again = client.get(response["Location"])
    assert first.status_code == again.status_code == 200
    assert RSVP.objects.count() == 1
    assert counts(action) == (1, 0, 0)


def test_the_landing_page_keeps_the_link_and_works_in_every_language(client, make_action):
    # given a supporter who has just RSVPed without an email
    action = make_action()
    landing = client.get(post_rsvp(client, action)["Location"])
    html = landing.content.decode()

    # then the page says its address is the private link, shows it, and lets it be copied
    assert "your private link: keep it" in html
    field = re.search(r'<input type="url" id="private-link-field"[^>]*>', html)
    assert field and re.search(r'value="http://testserver/en/rsvp/[\w-]+/"', field[0])
    assert "data-copy=" in html and "js/copy-link.js" in html
    # and the token in its address goes to no other origin, and no cache keeps the page
    assert landing["Referrer-Policy"] == "same-origin"
    assert '<meta name="referrer" content="same-origin">' in html
    assert "no-referrer" not in html
    assert "no-store" in landing["Cache-Control"]

    # and each of its language links opens the same page in that language
    links = language_links(html)
    assert sorted(link.split("/")[1] for link in links) == sorted(LANGUAGES)
    for link in links:
        language = link.split("/")[1]
        answer = client.get(link)
        assert answer.status_code == 200, link
        assert f'<html lang="{language}"' in answer.content.decode()
    assert RSVP.objects.count() == 1


def test_the_recap_says_what_when_and_where_with_the_jalali_date_in_persian(client, make_action):
    # given a supporter's manage link
    action = make_action(title="Vigil at the gate", place="Brandenburg Gate")
    _rsvp, link = rsvp_link(action)

    # when they open it in Persian
    html = client.get(link.replace("/en/", "/fa/")).content.decode()

    # then the recap shows the action, its time with the Jalali date beside the Gregorian one,
    # its place, and the calendar file
    assert "Vigil at the gate" in html and "Brandenburg Gate" in html
    assert re.search(r"[۰-۹]{4} — [۰-۹]", html)
    assert f'href="/fa/a/{action.public_id}/calendar.ics"' in html
    assert "Brandenburg Gate</bdi>، " in html


def test_an_rsvp_with_email_lands_on_a_page_that_says_where_the_link_went(client, make_action):
    # given a full action
    action = make_action(capacity=0)

    # when a supporter RSVPs with an email
    response = post_rsvp(client, action, email="wait@example.org")

    # then they land on a page safe to reload, which says they are on the waitlist
    assert response.status_code == 303
    assert response["Location"] == f"/en/a/{action.public_id}/rsvp/sent/?status=waitlisted"
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "You are on the waitlist." in html and "we then write to you" in html
    assert "We have sent a private link" in html
    # and its language links work too, keeping what it says
    for link in language_links(html):
        assert client.get(link).status_code == 200, link
        assert link.endswith("?status=waitlisted")
    assert RSVP.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_email_sent_again_at_once_lands_on_the_same_page(client, make_action):
    # given an action with one seat
    action = make_action(capacity=1)

    # when the same address RSVPs twice at once (a double click), then once more later
    first = post_rsvp(client, action, email="twice@example.org")
    second = post_rsvp(client, action, email="twice@example.org")
    cache.clear()
    later = post_rsvp(client, action, email="twice@example.org")

    # then the second answer is the first one, and the later one is a new RSVP on the waitlist
    assert first["Location"] == second["Location"]
    assert first["Location"].endswith("?status=going")
    assert later["Location"].endswith("?status=waitlisted")
    assert RSVP.objects.count() == 2


def test_a_waitlisted_supporter_is_told_so_on_their_page(client, make_action):
    # given a full action
    action = make_action(capacity=0)

    # when a supporter without email RSVPs
    landing = client.get(post_rsvp(client, action)["Location"])

    # then their page says they are waiting and what happens when a place frees up
    html = landing.content.decode()
    assert "You are on the waitlist." in html
    assert "moves up automatically" in html
    assert "You are going." not in html


def test_the_manage_form_has_no_empty_language_and_a_status_sentence(client, make_action):
    _rsvp, link = rsvp_link(make_action())
    html = client.get(link).content.decode()
    assert "---------" not in html
    assert "You are going." in html
    assert re.search(r'<option value="en" selected>', html)
    # and the help a field names in aria-describedby is there
    described = re.findall(r'aria-describedby="([^"]+)"', html)
    assert described
    for each in described:
        assert f'id="{each}"' in html


# -- cancelling needs a confirmation ---------------------------------------------------------


def test_cancelling_asks_for_a_confirmation_first(client, make_action):
    # given a supporter on their manage page
    action = make_action()
    rsvp, link = rsvp_link(action)
    html = client.get(link).content.decode()

    # then it offers no one-click cancel, only a link to a confirmation
    assert 'name="cancel"' not in html
    assert f'href="{link}cancel/"' in html

    # when they open the confirmation, nothing is cancelled yet
    confirm = client.get(f"{link}cancel/")
    assert confirm.status_code == 200
    assert "Yes, cancel my RSVP" in confirm.content.decode()
    assert f'href="{link}"' in confirm.content.decode()  # the way back
    assert confirm["Referrer-Policy"] == "same-origin" and "no-store" in confirm["Cache-Control"]
    rsvp.refresh_from_db()
    assert rsvp.status == RSVP.Status.GOING

    # and a cancel sent the old one-click way only leads to the confirmation
    old_way = client.post(link, {"cancel": "1"})
    assert (old_way.status_code, old_way["Location"]) == (303, f"{link}cancel/")
    rsvp.refresh_from_db()
    assert rsvp.status == RSVP.Status.GOING

    # when they confirm
    done = client.post(f"{link}cancel/")

    # then the RSVP is cancelled and the link, still working, says so and offers to come back
    assert (done.status_code, done["Location"]) == (303, f"{link}?done=cancelled")
    rsvp.refresh_from_db()
    assert rsvp.status == RSVP.Status.CANCELLED
    page = client.get(done["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "You cancelled your RSVP." in html
    assert 'name="rejoin"' in html
    assert counts(action) == (0, 0, 1)


def test_the_confirmation_of_a_cancelled_rsvp_leads_back_to_its_link(client, make_action):
    rsvp, link = rsvp_link(make_action())
    services.cancel_rsvp(rsvp)
    answer = client.get(f"{link}cancel/")
    assert (answer.status_code, answer["Location"]) == (303, link)


def test_a_wrong_token_is_a_404_on_the_confirmation_too(client, make_action):
    make_action()
    assert client.get("/en/rsvp/not-a-real-token/cancel/").status_code == 404
    assert client.post("/en/rsvp/not-a-real-token/cancel/").status_code == 404


# -- RSVP again ----------------------------------------------------------------------------------


def test_rsvp_again_from_the_link_takes_a_free_seat(client, make_action, make_campaign):
    # given a cancelled RSVP of an action with seats left
    action = make_action(campaign=make_campaign(), capacity=5)
    rsvp, link = rsvp_link(action)
    client.post(f"{link}cancel/")

    # when the supporter RSVPs again from the same link
    answer = client.post(link, {"rejoin": "1"})

    # then the same RSVP is going again and the counters are as before the cancel
    assert (answer.status_code, answer["Location"]) == (303, f"{link}?done=rejoined")
    rsvp.refresh_from_db()
    assert rsvp.status == RSVP.Status.GOING
    assert RSVP.objects.count() == 1
    assert counts(action) == (1, 0, 0)
    totals = CampaignCounter.totals(action.campaign_id)
    assert (totals["going"], totals["waitlisted"], totals["cancelled"]) == (1, 0, 0)
    assert AuditEntry.objects.filter(verb="rsvp.rejoined").count() == 1
    assert "You are going." in client.get(answer["Location"]).content.decode()


def test_rsvp_again_on_a_full_action_joins_the_end_of_the_waitlist(make_action):
    # given an action with one seat, a supporter who cancelled it, and then two others
    action = make_action(capacity=1)
    first, _link = rsvp_link(action, pseudonym="first")
    services.cancel_rsvp(first)
    rsvp_link(action, pseudonym="second")
    rsvp_link(action, pseudonym="third")
    assert counts(action) == (1, 1, 1)

    # when the first one RSVPs again
    services.rejoin_rsvp(first)

    # then they wait behind the one who waited while they were away
    first.refresh_from_db()
    assert first.status == RSVP.Status.WAITLISTED
    assert counts(action) == (1, 2, 0)
    services.cancel_rsvp(RSVP.objects.get(pseudonym="second"))
    statuses = dict(RSVP.objects.values_list("pseudonym", "status"))
    assert statuses == {"first": "waitlisted", "second": "cancelled", "third": "going"}
    assert counts(action) == (1, 1, 1)


def test_rsvp_again_is_refused_once_the_action_has_ended(client, make_action):
    # given a cancelled RSVP of an action that has since ended
    action = make_action()
    rsvp, link = rsvp_link(action)
    services.cancel_rsvp(rsvp)
    past = timezone.now() - dt.timedelta(hours=3)
    type(action).objects.filter(pk=action.pk).update(
        starts_at=past, ends_at=past + dt.timedelta(hours=2)
    )

    # then the page offers no way back, and a request to come back is refused and changes nothing
    html = client.get(link).content.decode()
    assert 'name="rejoin"' not in html and "no longer takes RSVPs" in html
    answer = client.post(link, {"rejoin": "1"})
    # a conflict with the action's state, as every closed action's refusal
    assert answer.status_code == 409
    assert "no longer takes RSVPs" in answer.content.decode()
    rsvp.refresh_from_db()
    assert rsvp.status == RSVP.Status.CANCELLED
    assert counts(action) == (0, 0, 1)
    assert not AuditEntry.objects.filter(verb="rsvp.rejoined").exists()


def test_rsvp_again_is_refused_for_a_cancelled_action(make_action):
    action = make_action()
    rsvp, _link = rsvp_link(action)
    services.cancel_rsvp(rsvp)
    type(action).objects.filter(pk=action.pk).update(status="cancelled")
    with pytest.raises(services.RSVPClosed):
        services.rejoin_rsvp(RSVP.objects.get(pk=rsvp.pk))
    assert counts(action) == (0, 0, 1)


def test_rsvp_again_on_a_live_rsvp_changes_nothing(make_action):
    action = make_action()
    rsvp, _link = rsvp_link(action)
    services.rejoin_rsvp(rsvp)
    assert counts(action) == (1, 0, 0)
    assert not AuditEntry.objects.filter(verb="rsvp.rejoined").exists()
