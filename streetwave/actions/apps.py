from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "streetwave.actions"
    label = "actions"
