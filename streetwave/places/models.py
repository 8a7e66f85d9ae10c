"""Countries and cities from the offline GeoNames gazetteer (CC BY), loaded by `load_places`."""

import functools
from zoneinfo import ZoneInfo

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class NamedInPersian:
    """A place with a name and, where the gazetteer has one, a Persian name: shown in the
    language of the page, or of `language`."""

    name: str
    name_fa: str

    def __str__(self) -> str:
        return self.display_name()

    def display_name(self, language: str | None = None) -> str:
        if (language or translation.get_language()) == "fa" and self.name_fa:
            return self.name_fa
        return self.name


class Country(NamedInPersian, models.Model):
    code = models.CharField(_("ISO code"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_fa = models.CharField(_("Persian name"), max_length=100, blank=True)
    # Marked by an operator for the whole instance: a state there arrests people for gathering,
    # so nothing is announced in advance and nobody is named (docs/privacy.md, "High-risk
    # countries"). A campaign may add countries of its own (Campaign.high_risk_countries).
    high_risk = models.BooleanField(_("high-risk"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")


class City(NamedInPersian, models.Model):
    geonameid = models.PositiveIntegerField(_("GeoNames id"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_fa = models.CharField(_("Persian name"), max_length=200, blank=True)
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="cities", verbose_name=_("country")
    )
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    population = models.PositiveIntegerField(_("population"), default=0)
    timezone = models.CharField(_("time zone"), max_length=64)

    class Meta:
        ordering = ["-population"]
        verbose_name = _("city")
        verbose_name_plural = _("cities")
        indexes = [models.Index(fields=["latitude", "longitude"], name="city_point_idx")]

    @property
    def zone(self) -> ZoneInfo:
        return zone_named(self.timezone)


@functools.cache
def zone_named(name: str) -> ZoneInfo:
    """A time zone, loaded once per process: ZoneInfo itself keeps only a few alive, and a map
    or a wave of a campaign across the world asks for hundreds, thousands of times."""
    return ZoneInfo(name)


class CityName(models.Model):
    """Every searchable spelling of a city (Latin, Persian, Arabic script), normalized, so a
    search in either script is one indexed prefix lookup."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="names")
    key = models.CharField(max_length=200, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["city", "key"], name="cityname_unique_per_city")
        ]

    def __str__(self):
        return self.key
