import datetime as dt
import threading

import pytest
from django.core import mail
from django.db import connection, connections
from django.http import Http404
from django.utils import timezone

from streetwave.accounts.models import UserSession
from streetwave.audit.models import AuditEntry
from streetwave.core.errors import NotAllowed
from streetwave.hubs import services
from streetwave.hubs.access import get_invitation_for_token
from streetwave.hubs.models import Invitation, Membership

from .conftest import token_in_mail

pytestmark = pytest.mark.django_db


@pytest.fixture
def hub_and_lead(make_hub, make_member):
    hub = make_hub()
    return hub, make_member(hub, Membership.Role.LEAD)


@pytest.fixture
def invited(hub_and_lead, django_capture_on_commit_callbacks):
    """An invitation mailed to new@example.org, and the token from the mail."""
    hub, lead = hub_and_lead
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invite_organizer(
            hub, email="new@example.org", role=Membership.Role.ORGANIZER, actor=lead
        )
    return invitation, token_in_mail("invitation")


def test_the_lead_invites_from_the_hub_page_in_the_chosen_language(
    client, login, hub_and_lead, django_capture_on_commit_callbacks
):
    hub, lead = hub_and_lead
    login(client, lead)
    assert 'name="email"' in client.get(f"/en/manage/hubs/{hub.public_id}/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/en/manage/hubs/{hub.public_id}/invite/",
            {"email": "friend@example.org", "role": "safety_lead", "language": "fa"},
        )

    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["friend@example.org"]
    token = token_in_mail("invitation")
    assert f"/fa/accounts/invitation/{token}/" in message.body
    invitation = get_invitation_for_token(token)
    assert (invitation.hub, invitation.role, invitation.invited_by) == (hub, "safety_lead", lead)
    assert invitation.token_hash != token
    assert AuditEntry.objects.filter(verb="invitation.created", hub_id=hub.public_id).exists()


@pytest.mark.parametrize("role", ["organizer", "safety_lead", "member"])
def test_only_the_lead_may_invite(client, login, make_hub, make_member, role):
    hub = make_hub()
    someone = make_member(hub, role)
    login(client, someone)
    html = client.get(f"/en/manage/hubs/{hub.public_id}/").content.decode()
    assert 'name="email"' not in html
    response = client.post(
        f"/en/manage/hubs/{hub.public_id}/invite/",
        {"email": "friend@example.org", "role": "lead", "language": "en"},
    )
    assert response.status_code == 404
    with pytest.raises(NotAllowed):
        services.invite_organizer(hub, email="x@example.org", role="lead", actor=someone)
    assert not Invitation.objects.exists()


def test_a_lead_of_another_hub_gets_404(client, login, make_hub, hub_and_lead):
    _hub, lead = hub_and_lead
    other = make_hub("Other hub")
    login(client, lead)
    assert client.get(f"/en/manage/hubs/{other.public_id}/").status_code == 404
    response = client.post(
        f"/en/manage/hubs/{other.public_id}/invite/",
        {"email": "friend@example.org", "role": "lead", "language": "en"},
    )
    assert response.status_code == 404


def test_wrong_expired_and_used_tokens_are_404(invited, make_user):
    invitation, token = invited
    for wrong in ("", "nope", "x" * 500, token[:-1]):
        with pytest.raises(Http404):
            get_invitation_for_token(wrong)

    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    with pytest.raises(Http404):
        get_invitation_for_token(token)

    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() + dt.timedelta(days=1)
    )
    user = make_user("new@example.org")
    services.accept_invitation(get_invitation_for_token(token), user, actor=user)
    with pytest.raises(Http404):
        get_invitation_for_token(token)


def test_accepting_makes_one_membership_even_when_submitted_twice(invited, make_user):
    invitation, token = invited
    user = make_user("New@Example.org")
    first = get_invitation_for_token(token)
    second = get_invitation_for_token(token)

    membership = services.accept_invitation(first, user, actor=user)
    with pytest.raises(services.InvitationUnusable):
        services.accept_invitation(second, user, actor=user)

    assert (membership.user, membership.hub, membership.role) == (user, invitation.hub, "organizer")
    assert Membership.objects.filter(user=user).count() == 1
    invitation.refresh_from_db()
    assert invitation.used_by == user and invitation.email == ""
    assert AuditEntry.objects.filter(verb="invitation.accepted").count() == 1


def test_an_invitation_works_only_for_its_address(invited, make_user):
    invitation, token = invited
    intruder = make_user("intruder@example.org")
    with pytest.raises(services.InvitationForAnotherAddress):
        services.accept_invitation(get_invitation_for_token(token), intruder, actor=intruder)
    assert not Membership.objects.filter(user=intruder).exists()
    assert get_invitation_for_token(token) == invitation


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_accepts_make_one_membership(make_hub, make_member, make_user):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serializes every writer")
    hub = make_hub()
    lead = make_member(hub, Membership.Role.LEAD)
    invitation = services.invite_organizer(
        hub, email="twice@example.org", role="organizer", actor=lead
    )
    user = make_user("twice@example.org")
    barrier = threading.Barrier(4)
    outcomes = []

    def submit():
        try:
            barrier.wait()
            services.accept_invitation(invitation, user, actor=user)
            outcomes.append("accepted")
        except (services.InvitationUnusable, services.AlreadyMember):
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["accepted", "refused", "refused", "refused"]
    assert Membership.objects.filter(user=user, hub=hub).count() == 1


def test_the_lead_removes_a_member_who_is_signed_out_everywhere(
    client, login, hub_and_lead, make_member
):
    hub, lead = hub_and_lead
    organizer = make_member(hub, Membership.Role.ORGANIZER)
    login(client.__class__(), organizer)
    assert UserSession.objects.open().filter(user=organizer).exists()

    login(client, lead)
    response = client.post(f"/en/manage/hubs/{hub.public_id}/members/{organizer.public_id}/remove/")

    assert response.status_code == 302
    assert not Membership.objects.filter(user=organizer, hub=hub).exists()
    assert not UserSession.objects.open().filter(user=organizer).exists()
    entry = AuditEntry.objects.get(verb="membership.removed")
    assert entry.hub_id == hub.public_id and entry.data == {"role": "organizer"}


def test_the_last_lead_cannot_be_removed(hub_and_lead):
    hub, lead = hub_and_lead
    with pytest.raises(services.LastLead):
        services.remove_member(Membership.objects.get(user=lead), actor=lead)
    assert Membership.objects.filter(user=lead, hub=hub).exists()


def test_only_the_lead_may_remove_members(client, login, hub_and_lead, make_member):
    hub, lead = hub_and_lead
    organizer = make_member(hub, Membership.Role.ORGANIZER)
    login(client, organizer)
    response = client.post(f"/en/manage/hubs/{hub.public_id}/members/{lead.public_id}/remove/")
    assert response.status_code == 404
    with pytest.raises(NotAllowed):
        services.remove_member(Membership.objects.get(user=lead), actor=organizer)
    assert Membership.objects.filter(hub=hub).count() == 2
