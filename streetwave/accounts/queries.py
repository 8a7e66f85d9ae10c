"""What an organizer may read about their own account."""

from typing import Any

from django.apps import apps
from django.utils import translation

from streetwave.core import datamap

from .high_risk import memberships_at_risk_q
from .models import User


def account_data(user: User) -> dict[str, Any]:
    """Everything kept about one's own account, as its owner downloads it: the account's row,
    the roles it holds (but in hubs of high-risk countries), and every personal field the data
    map holds about it, in any model (`core.datamap.collect`), with the map's labels in the
    account's language."""
    # Hubs and campaigns sit above accounts: their roles are named, not imported.
    memberships: Any = apps.get_model("hubs", "Membership")
    campaign_roles: Any = apps.get_model("hubs", "CampaignRole")
    with translation.override(user.language or None):
        sections = datamap.collect("account", user.pk)
        return {
            "account": {
                "id": user.public_id,
                "email": user.email,
                "display_name": user.display_name,
                "language": user.language,
                "joined": user.date_joined.isoformat(),
                "last_login": user.last_login.isoformat() if user.last_login else None,
            },
            # A hub in a high-risk country is left out: the file outlives the session, on a
            # device that may be seized (docs/privacy.md, "High-risk countries").
            "hub_roles": [
                {"hub": row.hub.public_id, "hub_name": row.hub.name, "role": row.role}
                for row in memberships.objects.filter(user=user)
                .exclude(memberships_at_risk_q())
                .select_related("hub")
            ],
            "campaign_roles": [
                {"campaign": row.campaign.slug, "role": row.role}
                for row in campaign_roles.objects.filter(user=user).select_related("campaign")
            ],
            "personal_data": [
                {
                    "model": section.model_map.label,
                    "title": section.title,
                    "rows": [{str(label): value for label, value in row} for row in section.rows],
                }
                for section in sections
            ],
        }
