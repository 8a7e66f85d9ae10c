"""The invitation page speaks Persian to a Persian reader, Django's password checks included."""

import re

import pytest
from django.test import Client

from streetwave.hubs.models import Membership
from streetwave.hubs.services import invite_organizer

pytestmark = pytest.mark.django_db


@pytest.fixture
def persian_invitation_path(make_hub, make_member, django_capture_on_commit_callbacks, mailoutbox):
    hub = make_hub()
    lead = make_member(hub, role=Membership.Role.LEAD)
    with django_capture_on_commit_callbacks(execute=True):
        invite_organizer(
            hub, email="new.organizer@example.org", role=Membership.Role.ORGANIZER, actor=lead
        )
    url = re.search(r"https?://\S+/accounts/invitation/\S+/", mailoutbox[-1].body).group(0)
    path = "/" + url.split("/", 3)[3]
    return re.sub(r"^/[a-z]{2}/", "/fa/", path)


def test_a_short_password_is_refused_in_persian(persian_invitation_path):
    # Given the invitation page in Persian
    client = Client()
    # When the invitee chooses a password of 8 characters where 12 are needed
    page = client.post(
        persian_invitation_path,
        {"password1": "kd8#Lq2v", "password2": "kd8#Lq2v", "language": "fa", "display_name": ""},
    )
    # Then the page says so in Persian, formally, with the glossary's words and Persian digits
    html = page.content.decode()
    assert page.status_code == 200
    assert "This password is too short" not in html
    assert "این گذرواژه خیلی کوتاه است. باید دست‌کم ۱۲ نویسه داشته باشد." in html
    assert "رمز عبور" not in html
