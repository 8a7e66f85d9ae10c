"""Demo organizer accounts with known passwords and authenticator secrets, so that someone new
to `make run` can sign in as a coordinator or a hub lead. Only on a development instance
(STREETWAVE_DEV or DEBUG): anywhere else a known password is a hole, and none is made."""

import base64
import hashlib

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction

from streetwave.accounts.models import User
from streetwave.accounts.services import activate_totp
from streetwave.hubs.models import CampaignRole, Hub, Membership

DOMAIN = "demo.streetwave.example"
LEADS = 3


def demo_totp_secret(email: str) -> str:
    """The same secret on every `make run`, so the README's instructions stay true."""
    digest = hashlib.sha256(f"streetwave-demo:{email}".encode()).digest()
    return base64.b32encode(digest[:20]).decode("ascii")


def _organizer(email: str, password: str, display_name: str) -> tuple[User, str]:
    """The demo account, made once: a demo loaded again into the same database reuses it."""
    secret = demo_totp_secret(email)
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, password, display_name=display_name)
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        activate_totp(user, secret, actor=None)
    return user, secret


def create_demo_organizers(campaign, hubs) -> list[tuple[str, str, str, str]]:
    """A coordinator of `campaign` and the leads of the first few active `hubs`:
    [(email, password, totp_secret, role)], or nothing outside development."""
    if not (settings.DEV or settings.DEBUG):
        return []
    accounts = []
    with transaction.atomic():
        email, password = f"coordinator@{DOMAIN}", "demo coordinator passphrase"
        user, secret = _organizer(email, password, "Demo coordinator")
        CampaignRole.objects.get_or_create(
            user=user, campaign=campaign, defaults={"role": CampaignRole.Role.COORDINATOR}
        )
        accounts.append((email, password, secret, str(CampaignRole.Role.COORDINATOR.label)))
        active = [hub for hub in hubs if hub.status == Hub.Status.ACTIVE][:LEADS]
        for number, hub in enumerate(active, start=1):
            email, password = f"lead{number}@{DOMAIN}", f"demo lead {number} passphrase"
            user, secret = _organizer(email, password, f"Demo lead {number}")
            Membership.objects.get_or_create(
                user=user, hub=hub, defaults={"role": Membership.Role.LEAD}
            )
            accounts.append((email, password, secret, f"{Membership.Role.LEAD.label}: {hub.name}"))
    return accounts
