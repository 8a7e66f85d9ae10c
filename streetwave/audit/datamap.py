"""The audit log keeps actors by account and objects by public id, never a personal value
(the data map: streetwave/core/datamap.py)."""

from django.utils.translation import gettext_lazy as _

from streetwave.core.datamap import ModelMap, register

from .models import AuditEntry

register(
    ModelMap(
        AuditEntry,
        not_personal={
            "verb": _("what was done, a dotted name"),
            "target_type": _("the kind of object acted on"),
            "data": _("public ids and counts only, never contacts or pseudonyms"),
        },
    ),
)
