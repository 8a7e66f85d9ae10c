import re

import pytest
from django.core import mail
from django.core.cache import cache
from icalendar import Calendar

from streetwave.actions.models import RSVP
from streetwave.core.testing import without_csrf_tokens

pytestmark = pytest.mark.django_db

FORM = {"pseudonym": "", "email": "", "language": "en", "consent": "on"}


def manage_link(response) -> str:
    """The manage link an RSVP without email leads to (post/redirect/get)."""
    assert response.status_code == 303, "the RSVP did not lead to its manage link"
    found = re.fullmatch(r"/[a-z]{2}/rsvp/[^/]+/", response["Location"])
    assert found, response["Location"]
    return found[0]


def post_rsvp(client, action, language="en", **fields):
    return client.post(f"/{language}/a/{action.public_id}/rsvp/", {**FORM, **fields})


def test_action_page_shows_the_public_facts_and_the_form(client, make_action):
    action = make_action(meeting_point="Behind the fountain, canary-mp")
    html = client.get(f"/en/a/{action.public_id}/").content.decode()
    assert "Rally for freedom" in html and "Alexanderplatz" in html
    assert 'name="consent"' in html
    assert "canary-mp" not in html
    assert f'href="/en/a/{action.public_id}/calendar.ics"' in html
    assert 'rel="alternate" type="text/calendar"' in html


def test_persian_action_page_shows_jalali_beside_gregorian(client, make_action):
    html = client.get(f"/fa/a/{make_action().public_id}/").content.decode()
    assert 'dir="rtl"' in html
    assert re.search(r"[۰-۹]{4} — [۰-۹]", html)


def test_rsvp_without_email_leads_to_the_manage_link(client, make_action):
    action = make_action()
    response = post_rsvp(client, action, pseudonym="Leila")
    assert response["Cache-Control"] == "no-store"
    link = manage_link(response)
    manage = client.get(link)
    assert manage.status_code == 200 and "Leila" in manage.content.decode()
    assert manage["Cache-Control"] == "no-store"


@pytest.mark.django_db(transaction=True)
def test_the_answer_is_the_same_whether_or_not_the_email_had_an_rsvp(client, make_action):
    action = make_action()
    first = post_rsvp(client, action, email="same@example.org")
    cache.clear()  # later: not the same request sent again
    second = post_rsvp(client, action, email="same@example.org")
    assert (first.status_code, first["Location"], first.content) == (
        second.status_code,
        second["Location"],
        second.content,
    )
    first_page, second_page = (client.get(answer["Location"]) for answer in (first, second))
    assert without_csrf_tokens(first_page.content) == without_csrf_tokens(second_page.content)
    # Each is an RSVP like any other, with its own link mailed to the address.
    assert RSVP.objects.count() == 2 and len(mail.outbox) == 2


def test_bad_input_is_a_translated_400_that_keeps_what_was_typed(client, make_action):
    action = make_action()
    response = post_rsvp(
        client, action, language="de", email="not-an-email", pseudonym="Kian", consent=""
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "gültige E-Mail-Adresse" in html
    assert 'value="Kian"' in html
    assert RSVP.objects.count() == 0


def test_manage_link_changes_and_cancels_and_then_says_so(client, make_action):
    action = make_action()
    response = post_rsvp(client, action)
    link = manage_link(response)

    saved = client.post(link, {"pseudonym": "Arash", "language": "fa", "save": "1"})
    assert (saved.status_code, saved["Location"]) == (303, f"{link}?done=saved")
    assert RSVP.objects.get().pseudonym == "Arash"

    cancelled = client.post(f"{link}cancel/")
    assert (cancelled.status_code, cancelled["Location"]) == (303, f"{link}?done=cancelled")
    assert RSVP.objects.get().status == "cancelled"
    page = client.get(cancelled["Location"])
    assert page.status_code == 200 and "You cancelled your RSVP." in page.content.decode()


def test_a_wrong_token_is_a_plain_404(client, make_action):
    make_action()
    assert client.get("/en/rsvp/not-a-real-token/").status_code == 404


def test_public_count_appears_only_from_ten_and_rounded(client, make_action):
    action = make_action()
    action.going_count = 9
    action.save()
    assert "more than" not in client.get(f"/en/a/{action.public_id}/").content.decode()
    action.going_count = 47
    action.save()
    assert "more than 40 people" in client.get(f"/en/a/{action.public_id}/").content.decode()


def test_rsvp_post_takes_a_handful_of_queries(
    client, make_action, make_campaign, django_assert_max_num_queries
):
    action = make_action(campaign=make_campaign())
    with django_assert_max_num_queries(12):
        response = post_rsvp(client, action, email="q@example.org")
    assert response.status_code == 303


def test_calendars_parse_and_carry_no_participant_data(client, make_action, make_campaign):
    campaign = make_campaign()
    action = make_action(campaign=campaign, meeting_point="canary-meeting")
    post_rsvp(client, action, pseudonym="canary-pseudonym", email="canary@example.org")
    cancelled = make_action(campaign=campaign, status="cancelled", title="Called off")
    urls = [
        f"/en/a/{action.public_id}/calendar.ics",
        f"/en/h/{action.hub.public_id}/calendar.ics",
        f"/en/c/{campaign.slug}/calendar.ics",
    ]
    for url in urls:
        response = client.get(url)
        assert response["Content-Type"].startswith("text/calendar")
        body = response.content.decode()
        assert "canary" not in body
        calendar = Calendar.from_ical(response.content)
        events = calendar.walk("VEVENT")
        assert events and all(str(e["UID"]).endswith("@streetwave") for e in events)
        assert calendar.walk("VTIMEZONE")
    # A hub's calendar still says when one of its actions is called off; the campaign's holds
    # only what one can still go to (campaigns/tests/test_phases.py).
    hub_calendar = client.get(f"/en/h/{cancelled.hub.public_id}/calendar.ics").content
    by_summary = {str(e["SUMMARY"]): e for e in Calendar.from_ical(hub_calendar).walk("VEVENT")}
    assert str(by_summary[cancelled.title]["STATUS"]) == "CANCELLED"
    campaign_calendar = Calendar.from_ical(client.get(urls[2]).content)
    assert campaign_calendar.walk("VEVENT")[0]["DTSTART"].dt.tzinfo is not None


def test_too_many_rsvps_from_one_address_keep_the_form_and_say_why(client, make_action, settings):
    settings.RSVP_RATE_LIMIT = 1
    action = make_action()
    assert post_rsvp(client, action).status_code == 303
    refused = post_rsvp(client, action, pseudonym="Nasrin")
    html = refused.content.decode()
    assert refused.status_code == 429
    assert "Too many requests" in html and 'value="Nasrin"' in html
    assert RSVP.objects.count() == 1


def test_a_refused_rsvp_that_shows_the_typed_address_is_kept_out_of_caches(
    client, make_action, settings
):
    # given an action whose RSVPs are limited to one per address and minute
    settings.RSVP_RATE_LIMIT = 1
    action = make_action()

    # when a form with a mistake comes back, and then one over the limit
    mistaken = post_rsvp(client, action, email="typed@example.org", consent="")
    assert post_rsvp(client, action).status_code == 303
    refused = post_rsvp(client, action, email="typed@example.org")

    # then both pages show the typed address and no cache or history may keep them
    assert (mistaken.status_code, refused.status_code) == (400, 429)
    for answer in (mistaken, refused):
        assert 'value="typed@example.org"' in answer.content.decode()
        assert "no-store" in answer.get("Cache-Control", "")
