from django.apps import AppConfig
from django.db.models.signals import post_delete
from django.utils.translation import gettext_lazy as _


class ReportBacksConfig(AppConfig):
    name = "streetwave.reportbacks"
    label = "reportbacks"
    verbose_name = _("Report-backs")

    def ready(self) -> None:
        from .services.photos import remove_photo_files

        # Every deletion of a photo, a CASCADE included, deletes its files once it commits.
        post_delete.connect(
            remove_photo_files, sender=self.get_model("Photo"), dispatch_uid="photo_files"
        )
