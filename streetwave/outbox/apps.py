from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class OutboxConfig(AppConfig):
    name = "streetwave.outbox"
    label = "outbox"

    def ready(self):
        # Each app's `messages` module registers how the outbox renders its kinds of message.
        autodiscover_modules("messages")
