"""A campaign's coordinators: an operator invites them by an invitation bound to the address,
every operator is told of each appointment by mail, and an operator removes them."""

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from streetwave.accounts.models import UserSession
from streetwave.audit.models import AuditEntry
from streetwave.campaigns.models import Campaign
from streetwave.core.errors import NotAllowed
from streetwave.hubs import services
from streetwave.hubs.access import get_invitation_for_token
from streetwave.hubs.models import CampaignRole, Invitation, Membership

from .conftest import token_in_mail

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(make_campaign):
    return make_campaign()


@pytest.fixture
def operators(make_user):
    """Two operators, one who reads Persian."""
    return (
        make_user("operator-en@example.org", is_operator=True, language="en"),
        make_user("operator-fa@example.org", is_operator=True, language="fa"),
    )


@pytest.fixture
def invited(campaign, operators, django_capture_on_commit_callbacks):
    """A coordinator's invitation mailed to sara@example.org, and the token from its mail."""
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invite_coordinator(
            campaign, email="sara@example.org", language="en", actor=operators[0]
        )
    [to_invitee] = [message for message in mail.outbox if message.to == ["sara@example.org"]]
    return invitation, token_in_mail("invitation", to_invitee)


def test_an_operator_invites_a_coordinator_and_every_operator_is_told(campaign, operators, invited):
    # given an operator's invitation to coordinate the campaign
    invitation, token = invited
    # then it is the campaign's, for the coordinator's role, and its mail names the campaign
    assert (invitation.campaign, invitation.hub, invitation.role) == (
        campaign,
        None,
        CampaignRole.Role.COORDINATOR,
    )
    assert get_invitation_for_token(token) == invitation
    [to_invitee] = [message for message in mail.outbox if message.to == ["sara@example.org"]]
    assert "Streets for freedom" in to_invitee.subject and "Streets for freedom" in to_invitee.body
    # and every operator got a mail in their own language: who appointed whom to which campaign
    told = {message.to[0]: message for message in mail.outbox if message.to != [to_invitee.to[0]]}
    assert set(told) == {"operator-en@example.org", "operator-fa@example.org"}
    english, persian = told["operator-en@example.org"], told["operator-fa@example.org"]
    assert "sara@example.org" in english.body and "operator-en@example.org" in english.body
    assert "Streets for freedom" in english.body
    assert "خیابان برای آزادی" in persian.body and "sara@example.org" in persian.body
    # and the appointment is in the audit log
    entry = AuditEntry.objects.get(verb="coordinator.appointed")
    assert entry.actor == operators[0] and entry.data == {"campaign": campaign.public_id}


def test_only_an_operator_appoints_coordinators(campaign, make_coordinator, make_user):
    # given a coordinator of the campaign and an organizer with no role
    for someone in (make_coordinator(campaign), make_user()):
        # when they try to appoint someone, then they may not
        with pytest.raises(NotAllowed):
            services.invite_coordinator(
                campaign, email="x@example.org", language="en", actor=someone
            )
    assert not Invitation.objects.exists()


def test_an_ended_campaign_takes_no_coordinators(make_campaign, operators):
    ended = make_campaign("ended", status=Campaign.Status.ENDED)
    with pytest.raises(services.CampaignClosed):
        services.invite_coordinator(ended, email="x@example.org", language="en", actor=operators[0])


def test_a_coordinator_is_not_appointed_twice(campaign, operators, make_coordinator, make_user):
    make_coordinator(campaign, user=make_user("Already@Example.org"))
    with pytest.raises(services.AlreadyCoordinator):
        services.invite_coordinator(
            campaign, email="already@example.org", language="en", actor=operators[0]
        )


def test_the_invited_person_becomes_coordinator_after_the_second_factor(
    campaign, invited, make_user, login
):
    # given the invitation link, and the invited person's account
    invitation, token = invited
    path = f"/en/accounts/invitation/{token}/"
    sara = make_user("sara@example.org")
    client = Client()
    # when they open it signed in with a second factor and accept
    login(client, sara)
    page = client.get(path)
    assert page.context["ready"] is True
    assert "Streets for freedom" in page.content.decode()
    response = client.post(path)
    # then they coordinate the campaign, and the invitation is spent
    assert response.status_code == 302
    assert CampaignRole.objects.filter(user=sara, campaign=campaign).exists()
    invitation.refresh_from_db()
    assert invitation.used_by == sara and invitation.email == ""
    entry = AuditEntry.objects.get(verb="invitation.accepted")
    assert entry.data == {"role": "coordinator", "campaign": campaign.public_id}


def test_a_coordinators_invitation_is_bound_to_its_address(invited, make_user, login):
    # given the invitation to sara@example.org, and someone else's account
    _invitation, token = invited
    intruder = make_user("intruder@example.org")
    client = Client()
    login(client, intruder)
    # when they open the link, then the page tells them it is for another address
    page = client.get(f"/en/accounts/invitation/{token}/")
    assert page.context["other_account"] is True
    client.post(f"/en/accounts/invitation/{token}/")
    # and the service refuses them too, with a translated message
    with pytest.raises(services.InvitationForAnotherAddress) as refused:
        services.accept_invitation(get_invitation_for_token(token), intruder, actor=intruder)
    assert "another email address" in str(refused.value.message)
    assert not CampaignRole.objects.filter(user=intruder).exists()


def test_an_invitation_of_an_ended_campaign_no_longer_opens(campaign, invited):
    _invitation, token = invited
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.ENDED)
    assert Client().get(f"/en/accounts/invitation/{token}/").status_code == 404


def test_an_invitation_is_to_a_hub_or_to_a_campaign_never_both(campaign, make_hub):
    hub = make_hub()
    base = {"email": "x@example.org", "language": "en", "expires_at": timezone.now()}
    for wrong in (
        {"hub": hub, "campaign": campaign, "role": "lead", "token_hash": "a"},
        {"hub": None, "campaign": None, "role": "lead", "token_hash": "b"},
        {"campaign": campaign, "role": Membership.Role.LEAD, "token_hash": "c"},
        {"hub": hub, "role": CampaignRole.Role.COORDINATOR, "token_hash": "d"},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Invitation.objects.create(**base, **wrong)


def test_an_operator_removes_a_coordinator_who_is_signed_out_everywhere(
    campaign, operators, make_coordinator, login, client
):
    # given a coordinator with an open session
    coordinator = make_coordinator(campaign)
    login(Client(), coordinator)
    assert UserSession.objects.open().filter(user=coordinator).exists()
    # when an operator removes them from the campaign's coordinators' page
    login(client, operators[0])
    response = client.post(
        f"/en/manage/campaigns/{campaign.slug}/coordinators/{coordinator.public_id}/remove/"
    )
    # then the role is gone, their sessions are ended, and it is audited
    assert response.status_code == 302
    assert not CampaignRole.objects.filter(user=coordinator).exists()
    assert not UserSession.objects.open().filter(user=coordinator).exists()
    entry = AuditEntry.objects.get(verb="coordinator.removed")
    assert entry.actor == operators[0] and entry.data == {"campaign": campaign.public_id}


def test_only_an_operator_removes_coordinators(campaign, make_coordinator):
    coordinator, other = make_coordinator(campaign), make_coordinator(campaign)
    with pytest.raises(NotAllowed):
        services.remove_coordinator(campaign, user=other, actor=coordinator)
    assert CampaignRole.objects.filter(user=other).exists()


def test_the_coordinators_page_lists_coordinators_and_open_invitations(
    campaign, operators, invited, make_coordinator, make_user, login, client
):
    # given a coordinator and an open invitation
    make_coordinator(campaign, user=make_user("coord@example.org", display_name="Coord Nina"))
    login(client, operators[0])
    # when an operator opens the page
    page = client.get(f"/en/manage/campaigns/{campaign.slug}/coordinators/")
    # then both are listed, with a remove button and the form to appoint another
    html = page.content.decode()
    assert page.status_code == 200
    assert "Coord Nina" in html and "sara@example.org" in html
    assert "/remove/" in html and 'name="email"' in html
    assert 'aria-current="page">Coordinators</a>' in html


def test_the_coordinators_page_appoints_and_refuses_a_bad_address(
    campaign, operators, login, client, django_capture_on_commit_callbacks
):
    login(client, operators[0])
    path = f"/en/manage/campaigns/{campaign.slug}/coordinators/"
    # a bad address comes back with the form
    refused = client.post(path, {"email": "not an address", "language": "en"})
    assert refused.status_code == 400
    assert not Invitation.objects.exists()
    # a good one is invited, in the chosen language
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(path, {"email": "new@example.org", "language": "fa"})
    assert sent.status_code == 302
    invitation = Invitation.objects.get(campaign=campaign)
    assert invitation.language == "fa"
    assert any(m.to == ["new@example.org"] and "/fa/accounts/" in m.body for m in mail.outbox)


def test_the_coordinators_page_is_404_for_everyone_but_operators(
    campaign, make_coordinator, make_hub, make_member, login
):
    hub = make_hub()
    for someone in (make_coordinator(campaign), make_member(hub, Membership.Role.LEAD)):
        client = Client()
        login(client, someone)
        assert client.get(f"/en/manage/campaigns/{campaign.slug}/coordinators/").status_code == 404
        assert (
            client.post(
                f"/en/manage/campaigns/{campaign.slug}/coordinators/",
                {"email": "x@example.org", "language": "en"},
            ).status_code
            == 404
        )
