from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "streetwave.core"
    label = "core"
