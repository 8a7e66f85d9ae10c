"""Accepting an invitation: an account, then a second factor, and only then the membership."""

import re

import pytest
from django.test import Client

from streetwave.hubs.models import Membership
from streetwave.hubs.services import invite_organizer

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitation_url(make_hub, make_member, django_capture_on_commit_callbacks, mailoutbox):
    """An invitation made by a hub lead; its path, as the invitee's mail carries it."""

    def make(email="new.organizer@example.org"):
        hub = make_hub()
        lead = make_member(hub, role=Membership.Role.LEAD)
        with django_capture_on_commit_callbacks(execute=True):
            invite_organizer(hub, email=email, role=Membership.Role.ORGANIZER, actor=lead)
        url = re.search(r"https?://\S+/accounts/invitation/\S+/", mailoutbox[-1].body).group(0)
        return hub, "/" + url.split("/", 3)[3]

    return make


def test_a_new_organizer_joins_only_after_setting_up_a_second_factor(invitation_url, login):
    hub, path = invitation_url()
    client = Client()

    # the page names the hub and the role, with the address filled in
    page = client.get(path)
    assert page.status_code == 200
    assert hub.name in page.content.decode()
    assert "new.organizer@example.org" in page.content.decode()

    # the account is made and signed in; the next step is the second factor
    created = client.post(
        path,
        {"password1": PASSWORD, "password2": PASSWORD, "language": "fa", "display_name": "Sara"},
    )
    assert created.status_code == 302
    step_two = client.get(path)
    assert step_two.context["second_factor_url"] == "/en/accounts/2fa/"

    # accepting now changes nothing
    client.post(path)
    user = step_two.context["user"]
    assert not Membership.objects.filter(user=user, hub=hub).exists()
    assert user.language == "fa"

    # with the second factor set up and verified in the session, the same button joins the hub
    login(client, user)
    assert client.get(path).context["ready"] is True
    joined = client.post(path)
    assert joined.status_code == 302
    assert Membership.objects.get(user=user, hub=hub).role == Membership.Role.ORGANIZER
    # and the link works once
    assert client.get(path).status_code == 404


def test_an_existing_account_signs_in_first(invitation_url, make_organizer):
    make_organizer("known@example.org")
    _hub, path = invitation_url("known@example.org")

    response = Client().get(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/login/?next=")


def test_another_signed_in_account_cannot_accept(invitation_url, make_user, login):
    hub, path = invitation_url()
    other = make_user("other@example.org")
    client = login(Client(), other)

    page = client.get(path)
    client.post(path)

    assert page.context["other_account"] is True
    assert not Membership.objects.filter(user=other, hub=hub).exists()


def test_a_wrong_token_is_a_plain_404(client):
    assert client.get("/en/accounts/invitation/not-a-token/").status_code == 404


def test_every_answer_of_an_invitation_link_is_kept_out_of_caches(invitation_url, make_user, login):
    # given an invitation, whose page shows the invited address
    _hub, path = invitation_url()

    # when the link is opened, a form sent with a mistake, and the link opened by another account
    opened = Client().get(path)
    mistaken = Client().post(path, {"password1": PASSWORD, "password2": "something else"})
    other = login(Client(), make_user("other@example.org")).get(path)

    # then no answer may be kept by a cache or restored from the browser's history
    for answer in (opened, mistaken, other):
        assert "new.organizer@example.org" in answer.content.decode()
        assert "no-store" in answer.get("Cache-Control", "")
