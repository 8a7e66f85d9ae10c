"""The demo organizers of `make run`: they can sign in with what the demo command prints."""

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.test import Client

from streetwave.demo.organizers import create_demo_organizers
from streetwave.hubs.models import CampaignRole, Membership

pytestmark = pytest.mark.django_db


def test_demo_organizers_sign_in_with_the_printed_secrets(make_campaign, make_hub, settings):
    import time

    settings.DEV = True
    campaign = make_campaign()
    hubs = [make_hub(f"Hub {number}") for number in range(4)]

    accounts = create_demo_organizers(campaign, hubs)

    assert len(accounts) == 4
    assert CampaignRole.objects.filter(campaign=campaign).count() == 1
    assert Membership.objects.filter(role=Membership.Role.LEAD).count() == 3
    email, password, secret, _role = accounts[0]
    client = Client()
    client.post("/en/accounts/login/", {"login": email, "password": password})
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    client.post("/en/accounts/2fa/authenticate/", {"code": code})
    assert client.get("/en/accounts/sessions/").status_code == 200


def test_no_demo_passwords_outside_development(make_campaign, make_hub, settings):
    settings.DEV = False
    settings.DEBUG = False

    assert create_demo_organizers(make_campaign(), [make_hub()]) == []
