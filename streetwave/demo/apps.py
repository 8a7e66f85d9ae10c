from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo day of action (`manage.py demo`): a world built from every app, so it sits above
    them all."""

    name = "streetwave.demo"
    label = "demo"
