from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "streetwave.moderation"
    label = "moderation"
