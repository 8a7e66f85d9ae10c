"""The pages of safety roles, briefings and know-your-rights cards."""

import pytest
from django.urls import reverse

from streetwave.actions import services as actions
from streetwave.actions.models import RSVP
from streetwave.core.ids import hash_token, new_token
from streetwave.safety import services
from streetwave.safety.models import RightsCard, SafetyBriefing, SafetyRole

pytestmark = pytest.mark.django_db

CONTACT = "contact-canary-5x@example.org"
PSEUDONYM = "Pseudonym-Canary-5x"


def _rsvp_with_link(action, *, offers=(), email=CONTACT, pseudonym=PSEUDONYM):
    actions.create_rsvp(
        action,
        pseudonym=pseudonym,
        email=email,
        language="en",
        consent=True,
        safety_offers=list(offers),
    )
    rsvp = RSVP.objects.filter(action=action).latest("pk")
    token = new_token()
    RSVP.objects.filter(pk=rsvp.pk).update(manage_token_hash=hash_token(token))
    return rsvp, token


def _roles_url(action):
    return reverse("safety:manage_roles", args=[action.public_id])


# The organizers' safety page


def test_the_safety_page_shows_offers_by_pseudonym_never_contact(
    client, login, upcoming, safety_lead
):
    # given a supporter who offered to be a medic
    _rsvp_with_link(upcoming, offers=["medic"])
    login(client, safety_lead)
    # when a safety lead of the hub opens the safety page
    response = client.get(_roles_url(upcoming))
    # then they see the offer under the pseudonym, never the address
    page = response.content.decode()
    assert response.status_code == 200
    assert PSEUDONYM in page
    assert CONTACT not in page
    assert "Medic" in page


@pytest.mark.parametrize("who", ["member", "coordinator"])
def test_the_safety_page_is_a_404_for_others(client, login, upcoming, who, request):
    login(client, request.getfixturevalue(who))
    assert client.get(_roles_url(upcoming)).status_code == 404


def test_an_organizer_confirms_an_offer_from_the_page(client, login, upcoming, organizer):
    rsvp, _token = _rsvp_with_link(upcoming, offers=["medic"])
    role = SafetyRole.objects.get(rsvp=rsvp)
    login(client, organizer)
    response = client.post(reverse("safety:confirm_role", args=[role.public_id]))
    assert response.status_code == 302
    assert SafetyRole.objects.get(pk=role.pk).state == "confirmed"


def test_an_organizer_takes_a_role_from_the_page(client, login, upcoming, organizer):
    login(client, organizer)
    url = reverse("safety:take_role", args=[upcoming.public_id])
    assert client.post(url, {"kind": "marshal"}).status_code == 302
    assert SafetyRole.objects.get(action=upcoming).user == organizer
    # an unknown role is a form error on the page
    response = client.post(url, {"kind": "sniper"})
    assert response.status_code == 400


def test_the_briefing_is_written_on_the_page(client, login, upcoming, lead):
    login(client, lead)
    response = client.post(_roles_url(upcoming), {"text_en": "Meet at one.", "text_fa": ""})
    assert response.status_code == 302
    assert SafetyBriefing.objects.get(action=upcoming).texts == {"en": "Meet at one."}


def test_a_briefing_too_long_is_a_form_error(client, login, upcoming, lead):
    login(client, lead)
    too_long = "x" * (services.BRIEFING_MAX_LENGTH + 1)
    response = client.post(_roles_url(upcoming), {"text_en": too_long})
    assert response.status_code == 400
    assert not SafetyBriefing.objects.exists()


def test_the_overview_shows_filled_and_missing_roles(client, login, upcoming, organizer):
    services.take_safety_role(upcoming, kind="marshal", actor=organizer)
    login(client, organizer)
    page = client.get(reverse("actions:manage_overview", args=[upcoming.public_id]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "filled" in text and "missing" in text
    assert _roles_url(upcoming) in text


def test_the_counts_page_shows_roles_as_numbers_only(
    client, login, upcoming, coordinator, organizer
):
    _rsvp_with_link(upcoming, offers=["medic"])
    services.take_safety_role(upcoming, kind="marshal", actor=organizer)
    login(client, coordinator)
    page = client.get(reverse("actions:manage_counts", args=[upcoming.campaign.slug]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Actions without it" in text
    assert PSEUDONYM not in text and CONTACT not in text


# A supporter's link


def test_a_supporter_offers_a_role_from_their_link(client, upcoming):
    rsvp, token = _rsvp_with_link(upcoming)
    page = client.get(reverse("actions:manage", args=[token])).content.decode()
    assert reverse("safety:offer_roles", args=[token]) in page
    response = client.post(reverse("safety:offer_roles", args=[token]), {"kinds": ["medic"]})
    assert response.status_code == 303
    assert response["Location"].endswith("?done=saved")
    assert list(SafetyRole.objects.filter(rsvp=rsvp).values_list("kind", flat=True)) == ["medic"]


def test_a_get_of_the_offer_goes_back_to_the_link(client, upcoming):
    _rsvp, token = _rsvp_with_link(upcoming)
    response = client.get(reverse("safety:offer_roles", args=[token]))
    assert response.status_code == 303
    assert not SafetyRole.objects.exists()


def test_only_a_confirmed_holder_sees_the_briefing_on_their_link(client, upcoming, lead):
    services.write_safety_briefing(upcoming, texts={"en": "Medics: the fountain."}, actor=lead)
    rsvp, token = _rsvp_with_link(upcoming, offers=["medic"])
    url = reverse("actions:manage", args=[token])
    # offered only: no briefing
    assert "Medics: the fountain." not in client.get(url).content.decode()
    # confirmed: the briefing, and how to reach the organizers
    services.confirm_safety_role(SafetyRole.objects.get(rsvp=rsvp), actor=lead)
    page = client.get(url).content.decode()
    assert "Medics: the fountain." in page
    assert "Reaching the organizers on the day" in page


def test_the_rsvp_form_takes_an_offer(client, upcoming):
    response = client.post(
        reverse("actions:rsvp", args=[upcoming.public_id]),
        {"language": "en", "consent": "on", "safety_offers": ["legal_observer"]},
    )
    assert response.status_code == 303
    role = SafetyRole.objects.get(action=upcoming)
    assert role.kind == "legal_observer" and role.state == "offered"


# Know-your-rights cards


def test_a_coordinator_writes_a_card_shown_on_the_action_page(client, login, upcoming, coordinator):
    campaign = upcoming.campaign
    country = upcoming.city.country
    login(client, coordinator)
    url = reverse("safety:manage_rights", args=[campaign.slug])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"country": country.code, "text_en": "Legal observers: 030 1234.", "text_fa": ""}
    )
    assert response.status_code == 302
    assert RightsCard.objects.get(campaign=campaign, country=country).texts == {
        "en": "Legal observers: 030 1234."
    }
    # the card is on the page to edit, and on the public page of the action
    assert (
        "Legal observers: 030 1234." in client.get(f"{url}?country={country.code}").content.decode()
    )
    client.logout()
    detail = client.get(reverse("actions:detail", args=[upcoming.public_id])).content.decode()
    assert "Know your rights" in detail and "Legal observers: 030 1234." in detail


def test_a_card_of_another_country_is_not_on_the_action_page(client, upcoming, coordinator):
    from streetwave.places.models import Country

    other = Country.objects.create(code="FR", name="France")
    services.write_rights_card(
        upcoming.campaign, country=other, texts={"en": "Paris numbers"}, actor=coordinator
    )
    detail = client.get(reverse("actions:detail", args=[upcoming.public_id])).content.decode()
    assert "Paris numbers" not in detail


def test_a_card_without_a_country_is_a_form_error(client, login, upcoming, coordinator):
    login(client, coordinator)
    url = reverse("safety:manage_rights", args=[upcoming.campaign.slug])
    assert client.post(url, {"country": "", "text_en": "x"}).status_code == 400


@pytest.mark.parametrize("who", ["lead", "organizer", "safety_lead"])
def test_the_cards_page_is_a_404_for_hub_people(client, login, upcoming, who, request):
    login(client, request.getfixturevalue(who))
    url = reverse("safety:manage_rights", args=[upcoming.campaign.slug])
    assert client.get(url).status_code == 404
