"""An organizer closes their own account: roles and sessions go, what the data map keeps about
them is erased, their hubs' content stays and the hubs' history names "a former organizer"."""

import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth import authenticate
from django.test import Client

from streetwave.accounts.models import User, UserSession
from streetwave.audit.models import AuditEntry
from streetwave.audit.services import record
from streetwave.core.errors import NotAllowed
from streetwave.hubs import services
from streetwave.hubs.models import CampaignRole, Membership

pytestmark = pytest.mark.django_db

CLOSE = "/en/manage/account/close/"
PASSWORD = "correct horse battery staple"


def test_closing_takes_every_role_and_erases_the_account(
    hub, lead, make_member, make_coordinator, campaign, make_action, login
):
    # Given an organizer of a hub and coordinator of a campaign, signed in, who acted
    user = make_member(hub)
    User.objects.filter(pk=user.pk).update(display_name="Nasrin")
    user.refresh_from_db()
    make_coordinator(campaign, user=user)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    login(Client(), user)
    action = make_action(hub=hub, requested_by=user)
    address = user.email

    # When they close their account
    counts = services.close_account(user, actor=user)

    # Then nothing of them is left but a row that cannot sign in
    user.refresh_from_db()
    assert not user.is_active and not user.has_usable_password()
    assert user.display_name == ""
    assert user.email == f"closed-{user.public_id}@closed.invalid"
    assert authenticate(email=address, password=PASSWORD) is None
    assert not Membership.objects.filter(user=user).exists()
    assert not CampaignRole.objects.filter(user=user).exists()
    assert not UserSession.objects.filter(user=user).exists()
    assert not Authenticator.objects.filter(user=user).exists()
    assert not EmailAddress.objects.filter(user=user).exists()
    assert counts["memberships"] == 1 and counts["campaign_roles"] == 1
    # and the hub keeps its action
    action.refresh_from_db()
    assert action.hub == hub
    # and the audit says so without the address or the name
    entry = AuditEntry.objects.get(verb="account.closed")
    assert address not in str(entry.data) and "Nasrin" not in str(entry.data)


def test_the_hubs_history_names_a_former_organizer(client, hub, lead, make_member, login):
    # Given an organizer whose deed is in the hub's history
    user = make_member(hub)
    User.objects.filter(pk=user.pk).update(display_name="Nasrin")
    user.refresh_from_db()
    record("action.created", actor=user, target=hub, hub=hub)

    services.close_account(user, actor=user)

    login(client, lead)
    page = client.get(f"/en/manage/hubs/{hub.public_id}/").content.decode()
    assert "a former organizer" in page
    assert "Nasrin" not in page


def test_the_last_lead_of_a_hub_with_people_is_refused(hub, lead, make_member):
    make_member(hub)

    with pytest.raises(services.LastLeadCloses):
        services.close_account(lead, actor=lead)

    assert User.objects.get(pk=lead.pk).is_active
    assert Membership.objects.filter(user=lead).exists()


def test_a_lead_alone_in_their_hub_may_close_and_the_hub_stays(hub, lead):
    services.close_account(lead, actor=lead)

    hub.refresh_from_db()
    assert not Membership.objects.filter(hub=hub).exists()
    assert not User.objects.get(pk=lead.pk).is_active


def test_nobody_closes_someone_elses_account(hub, lead, make_member):
    user = make_member(hub)

    with pytest.raises(NotAllowed):
        services.close_account(user, actor=lead)

    assert User.objects.get(pk=user.pk).is_active


def test_the_page_asks_then_closes_and_signs_out(client, hub, make_member, login):
    user = make_member(hub)
    login(client, user)

    asked = client.get(CLOSE)
    assert asked.status_code == 200
    assert "Yes, close my account" in asked.content.decode()
    assert User.objects.get(pk=user.pk).is_active

    # (a fresh sign-in counts for nothing: the password is asked again first)
    assert "reauthenticate" in client.post(CLOSE)["Location"]
    assert User.objects.get(pk=user.pk).is_active
    client.post("/en/accounts/reauthenticate/", {"password": PASSWORD})
    closed = client.post(CLOSE)

    assert closed.status_code == 302 and closed["Location"] == "/en/accounts/login/"
    assert not User.objects.get(pk=user.pk).is_active
    assert client.get("/en/manage/").status_code == 302


def test_an_old_confirmation_must_be_made_again_before_closing(client, hub, make_member, login):
    # Given a session whose password was confirmed an hour ago
    user = make_member(hub)
    login(client, user)
    client.post("/en/accounts/reauthenticate/", {"password": PASSWORD})
    session = client.session
    for method in session["account_authentication_methods"]:
        method["at"] = time.time() - 3600
    session.save()

    # When it posts the closing
    response = client.post(CLOSE)

    # Then it is asked for the password or a factor again, and nothing is closed
    assert response.status_code == 302
    assert "reauthenticate" in response["Location"]
    assert User.objects.get(pk=user.pk).is_active


def test_the_last_lead_sees_why_on_the_page(client, hub, lead, make_member, login):
    make_member(hub)
    login(client, lead)
    client.post("/en/accounts/reauthenticate/", {"password": PASSWORD})

    response = client.post(CLOSE, follow=True)

    assert "invite another lead" in response.content.decode()
    assert User.objects.get(pk=lead.pk).is_active
