"""Supporters own their data: they find their RSVPs by their address (the links go to that
address only, and the page tells nothing), download what is kept about an RSVP and erase it at
once from its link."""

import json
import re

import pytest
from django.core import mail

from streetwave.actions import services
from streetwave.actions.models import RSVP, Action
from streetwave.audit.models import AuditEntry
from streetwave.core.testing import without_csrf_tokens

pytestmark = pytest.mark.django_db

FIND = "/en/rsvps/find/"


def rsvp_with_link(action, *, email="", pseudonym="", **extra):
    """An RSVP made through the service, and its working manage link (path)."""
    services.create_rsvp(
        action, email=email, pseudonym=pseudonym, language="en", consent=True, **extra
    )
    rsvp = RSVP.objects.latest("created_at", "id")
    token = services.rotate_manage_token(rsvp)
    return rsvp, f"/en/rsvp/{token}/"


def links_in(message) -> list[str]:
    return re.findall(r"http://\S+/rsvp/\S+/", message.body)


def ask_for_links(client, callbacks, email, path=FIND):
    with callbacks(execute=True):
        return client.post(path, {"email": email}, follow=True)


# Find my RSVPs


def test_the_page_answers_the_same_for_an_address_with_rsvps_and_one_without(
    client, make_action, django_capture_on_commit_callbacks
):
    # Given an address with an RSVP
    rsvp_with_link(make_action(), email="known@example.org")
    mail.outbox.clear()

    # When both addresses are sent
    known = ask_for_links(client, django_capture_on_commit_callbacks, "known@example.org")
    unknown = ask_for_links(client, django_capture_on_commit_callbacks, "nobody@example.org")

    # Then the two answers are the same, byte for byte but for the CSRF token
    assert known.redirect_chain == unknown.redirect_chain == [(f"{FIND}?sent=1", 303)]
    assert without_csrf_tokens(known.content) == without_csrf_tokens(unknown.content)
    assert "If RSVPs were made with this address" in known.content.decode()
    # and only the address with RSVPs gets a mail
    assert [message.to for message in mail.outbox] == [["known@example.org"]]


def test_one_mail_lists_new_links_to_every_rsvp_of_the_address_and_the_old_ones_die(
    client, make_action, django_capture_on_commit_callbacks
):
    # Given two RSVPs of one address (one cancelled), and one of another address
    _first, first_link = rsvp_with_link(make_action(title="Morning rally"), email="me@example.org")
    second, second_link = rsvp_with_link(make_action(title="Evening vigil"), email="ME@example.org")
    services.cancel_rsvp(second)
    _other, other_link = rsvp_with_link(make_action(title="Other march"), email="you@example.org")
    mail.outbox.clear()

    # When the address asks for its links
    ask_for_links(client, django_capture_on_commit_callbacks, "me@example.org")

    # Then one mail goes to it, naming both its actions and nothing of the other address
    # (to the address as it was given with the newest RSVP: the request's copy is kept nowhere)
    [message] = mail.outbox
    assert message.to == ["ME@example.org"]
    assert "Morning rally" in message.body and "Evening vigil" in message.body
    assert "Other march" not in message.body and "you@example.org" not in message.body
    assert "no longer work" in message.body
    # with two new links that open the two RSVPs, while the old links are dead
    links = links_in(message)
    assert len(links) == 2
    for link in links:
        assert client.get(link).status_code == 200
    assert client.get(first_link).status_code == 404
    assert client.get(second_link).status_code == 404
    # and the other address's link is untouched
    assert client.get(other_link).status_code == 200


def test_the_mail_speaks_the_language_of_the_page(
    client, make_action, django_capture_on_commit_callbacks
):
    rsvp_with_link(make_action(), email="me@example.org")
    mail.outbox.clear()

    ask_for_links(client, django_capture_on_commit_callbacks, "me@example.org", "/fa/rsvps/find/")

    [message] = mail.outbox
    assert all("/fa/rsvp/" in link for link in links_in(message))


def test_an_erased_rsvp_is_not_listed(client, make_action, django_capture_on_commit_callbacks):
    _kept, _ = rsvp_with_link(make_action(title="Kept"), email="me@example.org")
    erased, _ = rsvp_with_link(make_action(title="Erased"), email="me@example.org")
    services.erase_rsvp(erased)
    mail.outbox.clear()

    ask_for_links(client, django_capture_on_commit_callbacks, "me@example.org")

    [message] = mail.outbox
    assert "Kept" in message.body and "Erased" not in message.body


def test_an_address_gets_a_few_mails_an_hour_and_the_page_never_says_so(
    client, make_action, django_capture_on_commit_callbacks
):
    rsvp_with_link(make_action(), email="me@example.org")
    mail.outbox.clear()
    answers = [
        ask_for_links(client, django_capture_on_commit_callbacks, "me@example.org")
        for _ in range(services.supporters.LINKS_PER_ADDRESS + 1)
    ]

    assert len(mail.outbox) == services.supporters.LINKS_PER_ADDRESS
    assert len({without_csrf_tokens(answer.content) for answer in answers}) == 1


def test_a_client_that_asks_too_often_is_told_to_wait(client, django_capture_on_commit_callbacks):
    for _ in range(services.LINKS_PER_CLIENT):
        assert client.post(FIND, {"email": "x@example.org"}).status_code == 303

    refused = client.post(FIND, {"email": "x@example.org"})

    assert refused.status_code == 429
    assert "Too many requests" in refused.content.decode()


def test_the_form_wants_an_address(client):
    response = client.post(FIND, {"email": "not an address"})

    assert response.status_code == 400
    assert not mail.outbox


def test_the_page_is_linked_from_the_footer_and_the_thank_you_page(client, make_action):
    action = make_action()

    assert 'href="/en/rsvps/find/"' in client.get("/en/").content.decode()
    sent = client.get(f"/en/a/{action.public_id}/rsvp/sent/")
    assert 'href="/en/rsvps/find/"' in sent.content.decode()


# Download my data


def test_the_data_page_and_file_hold_everything_kept_about_the_rsvp(client, make_action):
    # Given an RSVP with a pseudonym, an address and a safety role offered
    action = make_action(title="Rally for freedom")
    rsvp, link = rsvp_with_link(
        action, email="me@example.org", pseudonym="Nasrin", safety_offers=["medic"]
    )

    # When its owner reads and downloads their data
    page = client.get(f"{link}data/")
    download = client.get(f"{link}data.json")

    # Then both say everything kept about it
    text = page.content.decode()
    assert page.status_code == 200
    for shown in ("Nasrin", "me@example.org", "Rally for freedom", "Going", "Medic"):
        assert shown in text
    assert download["Content-Disposition"] == (f'attachment; filename="rsvp-{rsvp.public_id}.json"')
    data = json.loads(download.content)
    assert data["rsvp"]["action"] == action.public_id
    assert data["rsvp"]["status"] == "going"
    assert data["rsvp"]["consent_version"] == services.CONSENT_VERSION
    # and the personal fields, as the data map labels them, wherever they are kept
    personal = {section["model"]: section["rows"] for section in data["personal_data"]}
    [own] = personal["actions.RSVP"]
    assert set(own.values()) == {"Nasrin", "me@example.org"}
    assert personal["safety.SafetyRole"] == [{"safety role offered or held": "Medic"}]
    # and never the keyed hash of the address nor a token
    assert rsvp.contact_index not in download.content.decode()
    assert download["Cache-Control"] == "no-store"


def test_the_manage_page_offers_download_erasure_and_stopping_the_news(
    client, make_action, make_campaign
):
    action = make_action(campaign=make_campaign())
    _quiet, quiet_link = rsvp_with_link(action, email="quiet@example.org")
    newsy, newsy_link = rsvp_with_link(action, email="news@example.org")
    RSVP.objects.filter(pk=newsy.pk).update(campaign_news=True)

    quiet_page = client.get(quiet_link).content.decode()
    newsy_page = client.get(newsy_link).content.decode()

    assert f'href="{quiet_link}data/"' in quiet_page
    assert f'href="{quiet_link}erase/"' in quiet_page
    assert "/news/unsubscribe/" not in quiet_page
    assert "/news/unsubscribe/" in newsy_page


# Erase me now


def test_erasing_asks_first_then_blanks_the_rsvp_and_kills_its_link(client, make_action):
    # Given a full action with an RSVP going and one waiting
    action = make_action(capacity=1)
    rsvp, link = rsvp_with_link(action, email="me@example.org", pseudonym="Nasrin")
    waiting, _ = rsvp_with_link(action, email="next@example.org")

    # When its owner opens "erase", nothing happens yet
    asked = client.get(f"{link}erase/")
    assert asked.status_code == 200
    assert "Yes, erase my RSVP now" in asked.content.decode()
    assert RSVP.objects.get(pk=rsvp.pk).pseudonym == "Nasrin"

    # When they confirm
    done = client.post(f"{link}erase/")

    # Then their fields are blank, their link is dead, and they are counted as cancelled
    assert done.status_code == 303 and done["Location"] == "/en/rsvps/erased/"
    erased = RSVP.objects.get(pk=rsvp.pk)
    assert (erased.pseudonym, erased.contact, erased.contact_index) == ("", "", "")
    assert erased.status == RSVP.Status.CANCELLED
    assert client.get(link).status_code == 404
    assert client.get(f"{link}data/").status_code == 404
    assert client.get("/en/rsvps/erased/").status_code == 200
    # and the waiting one takes the seat, the counters saying so
    assert RSVP.objects.get(pk=waiting.pk).status == RSVP.Status.GOING
    action = Action.objects.get(pk=action.pk)
    assert (action.going_count, action.waitlisted_count, action.cancelled_count) == (1, 0, 1)


def test_the_audit_says_an_rsvp_was_erased_and_nothing_about_whom(make_action):
    rsvp, _ = rsvp_with_link(make_action(), email="me@example.org", pseudonym="Nasrin")

    services.erase_rsvp(rsvp)

    entry = AuditEntry.objects.get(verb="rsvp.erased")
    # (its confirmation mail with it)
    assert entry.data == {"was": "going", "erased": {"actions.RSVP": 1, "outbox.Delivery": 1}}
    everything = json.dumps(list(AuditEntry.objects.values()), default=str)
    assert "Nasrin" not in everything and "me@example.org" not in everything


def test_erasing_a_cancelled_rsvp_moves_no_counter(make_action):
    action = make_action()
    rsvp, _ = rsvp_with_link(action, email="me@example.org")
    services.cancel_rsvp(rsvp)

    services.erase_rsvp(rsvp)

    action = Action.objects.get(pk=action.pk)
    assert (action.going_count, action.cancelled_count) == (0, 1)
    assert RSVP.objects.get(pk=rsvp.pk).contact == ""


def test_an_erased_address_is_found_no_more(make_action, django_capture_on_commit_callbacks):
    action = make_action()
    rsvp, _ = rsvp_with_link(action, email="me@example.org")
    services.erase_rsvp(rsvp)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        queued = services.mail_rsvp_links("me@example.org", language="en")

    assert queued is False
    assert not mail.outbox


def test_erasing_goes_by_the_data_map_wherever_the_rsvp_is_kept(make_action):
    from streetwave.safety.models import Incident, SafetyRole

    # Given an RSVP that offered a role and reported an incident
    action = make_action()
    rsvp, _ = rsvp_with_link(action, email="me@example.org", safety_offers=["medic"])
    incident = Incident.objects.create(
        action=action,
        kind=Incident.Kind.OTHER,
        happened_at=action.starts_at,
        source=Incident.Source.choices[0][0],
        text="Someone filmed us",
        reporter_rsvp=rsvp,
    )

    # When it is erased
    services.erase_rsvp(rsvp)

    # Then its offer is gone, and the incident stays without its reporter
    assert not SafetyRole.objects.filter(rsvp=rsvp).exists()
    incident.refresh_from_db()
    assert incident.reporter_rsvp is None
    assert incident.text == "Someone filmed us"
