from django.apps import AppConfig
from django.db.models.signals import post_delete
from django.utils.translation import gettext_lazy as _


class SafetyConfig(AppConfig):
    name = "streetwave.safety"
    label = "safety"
    verbose_name = _("Safety")

    def ready(self) -> None:
        from .services.photos import remove_incident_photo_files

        # Every deletion of an incident's photo, a CASCADE included, deletes its file.
        post_delete.connect(
            remove_incident_photo_files,
            sender=self.get_model("IncidentPhoto"),
            dispatch_uid="incident_photo_files",
        )
