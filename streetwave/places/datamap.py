"""Places are public geography (the data map: streetwave/core/datamap.py)."""

from django.utils.translation import gettext_lazy as _

from streetwave.core.datamap import ModelMap, register

from .models import City, CityName, Country

_PUBLIC = _("public geography (GeoNames)")

register(
    ModelMap(Country, not_personal={"code": _PUBLIC, "name": _PUBLIC, "name_fa": _PUBLIC}),
    ModelMap(City, not_personal={"name": _PUBLIC, "name_fa": _PUBLIC, "timezone": _PUBLIC}),
    ModelMap(CityName, not_personal={"key": _("a city's name, folded for search")}),
)
