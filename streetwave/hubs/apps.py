from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class HubsConfig(AppConfig):
    name = "streetwave.hubs"
    label = "hubs"
    verbose_name = _("Hubs")

    def ready(self):
        # Each app's `queries` module registers what waits for organizers (pending items).
        autodiscover_modules("queries")
