from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "streetwave.audit"
    label = "audit"
