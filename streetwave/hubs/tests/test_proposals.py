import datetime as dt

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from streetwave.audit.models import AuditEntry
from streetwave.audit.services import erase_expired_personal_data
from streetwave.hubs import services
from streetwave.hubs.datamap import PROPOSAL_RETENTION
from streetwave.hubs.models import Hub, HubApplication, Invitation

from .conftest import token_in_mail

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Leipzig for Freedom",
    "city_name": "Leipzig",
    "languages": ["fa", "de"],
    "motivation": "We met at the Augustusplatz vigils.",
    "email": "Applicant@Example.org",
}


@pytest.fixture
def leipzig(make_city):
    return make_city("Leipzig", lat=51.34, lon=12.37, name_fa="لایپزیگ")


def test_the_start_page_is_right_to_left_in_persian(client):
    response = client.get("/fa/hubs/start/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="fa" dir="rtl">' in html
    assert 'name="city_name"' in html and 'name="motivation"' in html
    # Nobody chose a city yet: there is nothing to choose from.
    assert 'type="radio"' not in html


def test_proposing_makes_a_hidden_proposal_and_mails_a_link_in_the_applicants_language(
    client, leipzig, django_capture_on_commit_callbacks
):
    # when someone proposes a hub from the Persian form
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/fa/hubs/start/", FORM)

    # then the answer only says to check the inbox
    assert response.status_code == 200
    assert "Applicant@Example.org" not in response.content.decode()
    hub = Hub.objects.get()
    assert (hub.status, hub.city, hub.languages) == (Hub.Status.PROPOSED, leipzig, ["fa", "de"])
    assert client.get(f"/en/h/{hub.public_id}/").status_code == 404
    # and the applicant receives a Persian link, never a sign-in link
    [message] = mail.outbox
    assert message.to == ["Applicant@Example.org"]
    assert "/fa/hubs/start/verify/" in message.body
    assert "login" not in message.body
    token = token_in_mail("verify")
    application = HubApplication.objects.get(hub=hub)
    assert application.token_hash != token and len(token) >= 43
    assert AuditEntry.objects.filter(verb="hub.proposed", target_id=hub.public_id).exists()


def test_the_applicant_email_is_encrypted_at_rest(leipzig):
    hub = services.propose_hub(
        name="Leipzig hub",
        city=leipzig,
        languages=["de"],
        motivation="Why not.",
        email="secret-applicant@example.org",
        language="en",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT email FROM hubs_hubapplication WHERE hub_id = %s", [hub.pk])
        [stored] = cursor.fetchone()
    assert "secret-applicant" not in stored
    assert HubApplication.objects.get(hub=hub).email == "secret-applicant@example.org"


def test_a_city_name_in_persian_script_finds_the_city(client, leipzig):
    response = client.post("/en/hubs/start/", {**FORM, "city_name": "لایپزیگ"})
    assert response.status_code == 200
    assert Hub.objects.get().city == leipzig


def test_a_name_several_cities_share_asks_which_one(client, make_city):
    # given two cities called Frankfurt
    main = make_city("Frankfurt", lat=50.11, lon=8.68, population=750_000)
    oder = make_city("Frankfurt", lat=52.34, lon=14.55, population=57_000)
    form = {**FORM, "city_name": "Frankfurt"}

    # when the form is sent with the name only, then it asks to choose
    response = client.post("/en/hubs/start/", form)
    html = response.content.decode()
    assert response.status_code == 400
    assert f'value="{main.geonameid}"' in html and f'value="{oder.geonameid}"' in html
    assert "Several cities have this name. Choose yours." in html
    assert not Hub.objects.exists()

    # when the applicant picks one, then the proposal is made for that one
    response = client.post("/en/hubs/start/", {**form, "city": oder.geonameid})
    assert response.status_code == 200
    assert Hub.objects.get().city == oder


def test_an_unknown_city_is_a_translated_form_error(client, leipzig):
    response = client.post("/de/hubs/start/", {**FORM, "city_name": "Atlantis"})
    assert response.status_code == 400
    assert not Hub.objects.exists()


def test_the_verification_link_confirms_once_on_post(
    client, leipzig, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/en/hubs/start/", FORM)
    link = f"/en/hubs/start/verify/{token_in_mail('verify')}/"

    # a GET, as a mail scanner would do, confirms nothing
    response = client.get(link)
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert not Hub.objects.awaiting_vouches().exists()

    response = client.post(link)
    assert response.status_code == 200
    assert Hub.objects.awaiting_vouches().get().name == "Leipzig for Freedom"
    assert client.get(link).status_code == 404
    assert client.post(link).status_code == 404


def test_wrong_and_expired_verification_links_are_404(
    client, leipzig, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/en/hubs/start/", FORM)
    token = token_in_mail("verify")
    assert client.get("/en/hubs/start/verify/not-a-token/").status_code == 404
    assert client.get(f"/en/hubs/start/verify/{'x' * 200}/").status_code == 404
    HubApplication.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert client.get(f"/en/hubs/start/verify/{token}/").status_code == 404


def _hub_data_erased(now=None):
    """What the retention job erased of hubs: stale proposals and unused invitations."""
    counts = erase_expired_personal_data(now=now)
    return {
        "proposals": counts.get("hubs.Hub", 0),
        "invitations": counts.get("hubs.Invitation", 0),
    }


def test_retention_deletes_stale_proposals_and_expired_invitations(
    leipzig, make_proposal, make_hub
):
    # given an unconfirmed proposal, a confirmed one, and an unused invitation
    unconfirmed = services.propose_hub(
        name="Never confirmed",
        city=leipzig,
        languages=[],
        motivation="",
        email="gone@example.org",
        language="en",
    )
    confirmed = make_proposal()
    active = make_hub()
    Invitation.objects.create(
        hub=active,
        role="organizer",
        email="invitee@example.org",
        language="en",
        token_hash="0" * 64,
        expires_at=timezone.now() + dt.timedelta(days=7),
    )

    # when the retention job runs now, nothing is due
    assert _hub_data_erased() == {"proposals": 0, "invitations": 0}

    # when it runs after the links expired
    later = timezone.now() + dt.timedelta(days=8)
    assert _hub_data_erased(now=later) == {"proposals": 1, "invitations": 1}
    assert not Hub.objects.filter(pk=unconfirmed.pk).exists()
    assert Hub.objects.filter(pk=confirmed.pk).exists()

    # and confirmed proposals nobody took up go after the retention period
    much_later = timezone.now() + PROPOSAL_RETENTION + dt.timedelta(days=1)
    assert _hub_data_erased(now=much_later)["proposals"] == 1
    assert not Hub.objects.filter(pk=confirmed.pk).exists()
    assert Hub.objects.filter(pk=active.pk).exists()


def test_one_address_cannot_flood_inboxes_with_proposals(client, leipzig, settings):
    # given a limit of two proposals a minute per address
    settings.HUB_PROPOSAL_RATE_LIMIT = 2

    # when the same address sends three
    answers = [client.post("/en/hubs/start/", FORM) for _ in range(3)]

    # then the third is refused with a translated message and creates nothing
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert "Too many requests" in answers[2].content.decode()
    assert Hub.objects.count() == 2


def test_a_refused_proposal_that_shows_the_typed_address_is_kept_out_of_caches(
    client, leipzig, settings
):
    # given a limit of one proposal a minute per address
    settings.HUB_PROPOSAL_RATE_LIMIT = 1

    # when a proposal with a mistake comes back, and then one over the limit
    mistaken = client.post("/en/hubs/start/", {**FORM, "city_name": "Atlantis"})
    assert client.post("/en/hubs/start/", FORM).status_code == 200
    refused = client.post("/en/hubs/start/", FORM)

    # then both pages show the typed address and no cache or history may keep them
    assert (mistaken.status_code, refused.status_code) == (400, 429)
    for answer in (mistaken, refused):
        assert "Applicant@Example.org" in answer.content.decode()
        assert "no-store" in answer.get("Cache-Control", "")


def test_a_hub_name_on_more_than_one_line_is_refused(client, leipzig):
    response = client.post("/en/hubs/start/", {**FORM, "name": "Leipzig\r\nBcc: all@example.org"})

    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"name"}
    assert not Hub.objects.exists()
