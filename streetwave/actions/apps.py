from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "streetwave.actions"
    label = "actions"

    def ready(self):
        # Registers how the outbox renders this app's messages.
        from . import messages  # noqa: F401
