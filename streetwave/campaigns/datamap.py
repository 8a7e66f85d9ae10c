"""Campaigns keep nothing about people (the data map: streetwave/core/datamap.py)."""

from django.utils.translation import gettext_lazy as _

from streetwave.core.datamap import ModelMap, register

from .models import Campaign

register(
    ModelMap(
        Campaign,
        not_personal={
            "texts": _("public: a campaign's title and texts in each language"),
            "languages": _("which languages a campaign speaks"),
            "zone": _("a time zone"),
            "link_allowlist": _("web sites a campaign's texts may link to"),
        },
    ),
)
