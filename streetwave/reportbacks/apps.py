from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportBacksConfig(AppConfig):
    name = "streetwave.reportbacks"
    label = "reportbacks"
    verbose_name = _("Report-backs")
