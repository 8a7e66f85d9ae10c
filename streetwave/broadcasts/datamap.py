"""Broadcasts keep nothing about people but who wrote them (the data map:
streetwave/core/datamap.py)."""

from django.utils.translation import gettext_lazy as _

from streetwave.core.datamap import ModelMap, register

from .models import Broadcast

register(
    ModelMap(
        Broadcast,
        not_personal={
            "texts": _("a coordinators' message to many, in each language; names nobody"),
        },
    ),
)
