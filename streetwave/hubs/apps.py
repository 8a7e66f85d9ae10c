from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class HubsConfig(AppConfig):
    name = "streetwave.hubs"
    label = "hubs"

    def ready(self):
        # Each app's `queries` module registers what waits for organizers (pending items).
        autodiscover_modules("queries")
