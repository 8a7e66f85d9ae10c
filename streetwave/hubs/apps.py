from django.apps import AppConfig


class HubsConfig(AppConfig):
    name = "streetwave.hubs"
    label = "hubs"
