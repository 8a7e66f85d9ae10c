import re

import pytest
from django.core import mail

from streetwave.hubs.models import Membership


def token_in_mail(kind: str, message=None) -> str:
    """The token of the last mailed link of `kind` ("verify" or "invitation")."""
    message = message or mail.outbox[-1]
    path = {"verify": r"/hubs/start/verify/", "invitation": r"/accounts/invitation/"}[kind]
    found = re.search(path + r"([A-Za-z0-9_\-]+)/", message.body)
    assert found, f"no {kind} link in the mail"
    return found.group(1)


@pytest.fixture
def voucher_hubs(make_hub, make_city, make_member):
    """Two active hubs in two cities, each with an organizer who may vouch."""
    hamburg = make_hub("Hamburg hub", city=make_city("Hamburg", lat=53.55, lon=9.99))
    cologne = make_hub("Cologne hub", city=make_city("Köln", lat=50.94, lon=6.96))
    return [
        (hamburg, make_member(hamburg, Membership.Role.ORGANIZER)),
        (cologne, make_member(cologne, Membership.Role.LEAD)),
    ]
