"""Members of hubs in high-risk countries: a second factor before any page of their hub, sessions
of one hour, and an account export that leaves their hub out (docs/privacy.md, "High-risk
countries")."""

import json
import time

import pytest
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.test import Client

from streetwave.accounts.models import UserSession
from streetwave.accounts.services import STARTED_AT_KEY
from streetwave.hubs.models import (
    Hub,
    HubApplication,
    Invitation,
    Membership,
    Participation,
    Vouch,
)
from streetwave.places.models import Country

pytestmark = pytest.mark.django_db

SESSIONS = "/en/accounts/sessions/"


@pytest.fixture
def inside(make_hub, make_city):
    """A hub in Tehran, Iran being high-risk for the whole instance."""
    tehran = make_city("Tehran", country="IR", timezone="Asia/Tehran", lat=35.69, lon=51.39)
    hub = make_hub("Tehran hub", city=tehran)
    Country.objects.filter(code="IR").update(high_risk=True)
    return hub


def started(client, seconds_ago):
    session = client.session
    session[STARTED_AT_KEY] = time.time() - seconds_ago
    session.save()
    return client


def signed_out(client) -> bool:
    response = client.get(SESSIONS)
    return response.status_code == 302 and response["Location"].startswith("/en/accounts/login/")


def test_a_member_of_a_high_risk_hub_is_signed_out_after_an_hour(
    make_member, login, inside, hub, settings
):
    member = make_member(inside)
    abroad = make_member(hub)
    member_client = started(login(Client(), member), settings.HIGH_RISK_SESSION_AGE - 60)
    assert member_client.get(SESSIONS).status_code == 200

    started(member_client, settings.HIGH_RISK_SESSION_AGE + 1)
    abroad_client = started(login(Client(), abroad), settings.HIGH_RISK_SESSION_AGE + 1)

    assert signed_out(member_client)
    assert UserSession.objects.get(user=member).end_reason == "expired"
    assert abroad_client.get(SESSIONS).status_code == 200


def test_joining_a_high_risk_hub_mid_session_shortens_the_session(
    make_user, login, inside, settings
):
    user = make_user()
    client = started(login(Client(), user), 2 * settings.HIGH_RISK_SESSION_AGE)
    assert client.get(SESSIONS).status_code == 200

    Membership.objects.create(user=user, hub=inside, role=Membership.Role.ORGANIZER)

    assert signed_out(client)


def test_a_country_marked_mid_session_shortens_its_members_sessions(
    make_member, login, hub, settings
):
    member = make_member(hub)
    client = started(login(Client(), member), 2 * settings.HIGH_RISK_SESSION_AGE)
    assert client.get(SESSIONS).status_code == 200

    Country.objects.filter(pk=hub.city.country_id).update(high_risk=True)

    assert signed_out(client)


def test_without_a_passkey_or_authenticator_app_no_page_of_the_hub_opens(
    make_member, login, inside
):
    member = make_member(inside, Membership.Role.LEAD)
    client = login(Client(), member)
    Authenticator.objects.filter(user=member).delete()

    response = client.get(f"/en/manage/hubs/{inside.public_id}/")

    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/2fa/"


def test_the_account_export_leaves_a_high_risk_hub_out(make_member, login, inside, hub):
    member = make_member(inside, Membership.Role.LEAD)
    Membership.objects.create(user=member, hub=hub, role=Membership.Role.ORGANIZER)

    response = login(Client(), member).get("/en/accounts/data/")

    exported = json.loads(response.content)
    assert [row["hub_name"] for row in exported["hub_roles"]] == [hub.name]
    text = response.content.decode()
    assert inside.public_id not in text and "Tehran" not in text


def test_the_admin_has_no_page_or_export_of_hubs_memberships_or_sponsorships():
    # Staff would otherwise page through who is in which hub and who vouched for whom, or
    # export it with an admin action: none of these models has an admin at all.
    for model in (Hub, Membership, Vouch, Participation, Invitation, HubApplication):
        assert not admin.site.is_registered(model), model
