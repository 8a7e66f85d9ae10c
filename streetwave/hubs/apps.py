from functools import partial

from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class HubsConfig(AppConfig):
    name = "streetwave.hubs"
    label = "hubs"
    verbose_name = _("Hubs")

    def ready(self):
        # Imported here: the risk filters name models, which exist once the apps are ready.
        from streetwave.accounts.high_risk import register_memberships_at_risk
        from streetwave.campaigns.risk import high_risk_hub_q

        # Each app's `queries` module registers what waits for organizers (pending items).
        autodiscover_modules("queries")
        # Accounts, below hubs, ask which of their people belong to a high-risk hub.
        register_memberships_at_risk(partial(high_risk_hub_q, "hub__"))
