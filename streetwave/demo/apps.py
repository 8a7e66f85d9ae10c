from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo day of action (`manage.py demo`): a world built from every app, so it sits above
    them all."""

    name = "streetwave.demo"
    label = "demo"
    verbose_name = _("Demo")
