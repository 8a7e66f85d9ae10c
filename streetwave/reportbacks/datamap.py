"""What report-backs keep about people: photos, which can show them (the data map:
streetwave/core/datamap.py)."""

from django.utils.translation import gettext_lazy as _

from streetwave.core.datamap import ModelMap, Personal, register

from .models import Photo, ReportBack

_PROCESSING_ONLY = _("only the task that processes the upload")
_UNTIL_PROCESSED = _("blanked when the processing task ran")

register(
    ModelMap(
        ReportBack,
        not_personal={
            "story": _("public once verified: about an action (the form asks to name no one)"),
            "reason": _("why an action did not take place"),
        },
    ),
    ModelMap(
        Photo,
        fields=[
            Personal(
                "file",
                _("the processed photo (faces covered)"),
                _("public once its report-back is verified"),
                erased=False,
                lives=_("deleted when taken down, or with its report-back"),
            ),
            Personal(
                "small_file",
                _("the processed photo's small copy, for lists (faces covered)"),
                _("public once its report-back is verified"),
                erased=False,
                lives=_("deleted when taken down, or with its report-back"),
            ),
            Personal("upload_name", _("the uploaded file's name"), _PROCESSING_ONLY),
            Personal("upload_type", _("the uploaded file's type"), _PROCESSING_ONLY),
            Personal(
                "asked_regions",
                _("the regions asked to cover or leave uncovered"),
                _PROCESSING_ONLY,
            ),
        ],
        not_personal={
            "alt_text": _("a description of the photo for people who cannot see it"),
            "failure": _("why processing failed, a kind of error"),
            "masked_regions": _("which regions of the photo are covered"),
        },
        lives=_UNTIL_PROCESSED,
    ),
)
