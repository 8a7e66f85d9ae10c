from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    name = "streetwave.outbox"
    label = "outbox"
    verbose_name = _("Outbox")

    def ready(self) -> None:
        # Each app's `mails` module registers how the outbox renders its kinds of message (the
        # name keeps clear of django.contrib.messages).
        autodiscover_modules("mails")
