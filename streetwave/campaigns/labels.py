"""City names for the map, from the offline gazetteer, in the reader's language.

One compact document for the whole world, the same for every campaign: a row per city of at
least LABEL_MIN_POPULATION people, the largest first, each with the zoom level from which the
map names it (the biggest cities at a world view, smaller ones as one zooms in). The gazetteer
changes only when an operator reloads it, so the document is cached for a day here and in
browsers.
"""

import json

from django.core.cache import cache

from streetwave.places.models import City

# Smaller places are left to a street-level basemap, where an operator supplies one.
LABEL_MIN_POPULATION = 100_000
# (population from, zoom from): the map names a city once zoomed in this far.
ZOOM_BY_POPULATION = ((5_000_000, 3), (1_000_000, 4), (300_000, 5), (0, 6))
# About 1 km: enough to place a name.
LABEL_DECIMALS = 2
CITY_LABELS_MAX_AGE = 24 * 3600
_VERSION = 1


def _zoom_for(population: int) -> int:
    return next(zoom for floor, zoom in ZOOM_BY_POPULATION if population >= floor)


def build_city_labels(language: str) -> bytes:
    """{"cities": [[latitude, longitude, name, zoom from], ...]}, the most populous first."""
    rows = (
        City.objects.filter(population__gte=LABEL_MIN_POPULATION)
        .order_by("-population", "geonameid")
        .values_list("latitude", "longitude", "name", "name_fa", "population")
    )
    cities = [
        [
            round(latitude, LABEL_DECIMALS),
            round(longitude, LABEL_DECIMALS),
            name_fa if language == "fa" and name_fa else name,
            _zoom_for(population),
        ]
        for latitude, longitude, name, name_fa, population in rows
    ]
    return json.dumps({"cities": cities}, ensure_ascii=False, separators=(",", ":")).encode()


def get_city_labels(language: str) -> bytes:
    key = f"city-labels:{_VERSION}:{language}"
    document = cache.get(key)
    if document is None:
        document = build_city_labels(language)
        cache.set(key, document, CITY_LABELS_MAX_AGE)
    return document
