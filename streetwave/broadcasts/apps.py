from django.apps import AppConfig


class BroadcastsConfig(AppConfig):
    name = "streetwave.broadcasts"
    label = "broadcasts"
