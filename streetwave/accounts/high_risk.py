"""Which accounts the high-risk rules cover (docs/privacy.md, "High-risk countries"): the
members of hubs in high-risk countries, who get short sessions and whose export leaves those
hubs out.

Hubs sit above accounts and know which hubs those are (campaigns.risk): they say it here once,
at start-up (`HubsConfig.ready`), as a filter on their memberships. Nothing keeps a copy of
the answer: it is asked inside the query that needs it, so that a country marked, or a
membership given, mid-session counts from the next request.
"""

from collections.abc import Callable

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Exists, OuterRef, Q

_memberships_at_risk: list[Callable[[], Q]] = []


def register_memberships_at_risk(make_filter: Callable[[], Q]) -> None:
    """Say which memberships (rows of hubs.Membership) are of hubs in high-risk countries."""
    _memberships_at_risk[:] = [make_filter]


def memberships_at_risk_q() -> Q:
    """A filter on hubs.Membership: those of hubs in high-risk countries."""
    if not _memberships_at_risk:
        # Never "nobody": an instance without the answer must not quietly give long sessions.
        raise ImproperlyConfigured("The hubs app did not say which memberships are at risk.")
    return _memberships_at_risk[0]()


def account_at_risk(user_id: str = "user_id") -> Exists:
    """True for rows whose account (the field `user_id` of the row) is a member of a hub in a
    high-risk country: an expression for `annotate` or `filter`."""
    membership = apps.get_model("hubs", "Membership")
    return Exists(membership.objects.filter(memberships_at_risk_q(), user_id=OuterRef(user_id)))
