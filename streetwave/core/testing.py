"""Test support shared by the apps' tests: comparing pages (two answers that should be the same
page differ in their CSRF tokens, which are masked afresh for every response), and the roles an
app's table of organizer URLs is tested against."""

import re

# Who asks, in an app's table of URLs against roles: a visitor, the people of one hub, the lead
# of another hub, a coordinator of the hub's campaign and one of another campaign.
ROLES_AROUND_ONE_HUB = (
    "anonymous",
    "member",
    "safety_lead",
    "organizer",
    "lead",
    "other_hub_lead",
    "coordinator",
    "other_coordinator",
)

_CSRF_TOKEN = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*"')


def without_csrf_tokens(body: bytes) -> bytes:
    """`body` with the value of every CSRF token blanked."""
    return _CSRF_TOKEN.sub(rb'\1"', body)
