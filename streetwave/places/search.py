"""Finding cities: by any spelling of their name (Latin or Persian script), or by position."""

import math

from django.db import connection
from django.db.models import Case, Max, Q, Value, When

from .models import City
from .names import normalize_name

EARTH_RADIUS_KM = 6371.0088
_HALF_CIRCUMFERENCE_KM = math.pi * EARTH_RADIUS_KM
# Dense regions answer from the first box; each empty box is widened four times.
_FIRST_RADIUS_KM = 25.0
_WIDENING = 4.0


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance by the haversine formula, which stays accurate for short
    distances where the spherical law of cosines loses precision."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    half_dphi = (phi2 - phi1) / 2
    half_dlambda = math.radians(lon2 - lon1) / 2
    h = math.sin(half_dphi) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(half_dlambda) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def find_cities(query: str, *, limit: int = 10) -> list[City]:
    """Cities with a spelling that starts with `query` in any script, the exact matches first,
    then the larger cities. One query."""
    key = normalize_name(query)
    if not key or limit <= 0:
        return []
    return list(
        City.objects.filter(_starts_with(key))
        # The filter comes first so the annotation reuses its join: only matching names count.
        .annotate(exact=Max(Case(When(names__key=key, then=Value(1)), default=Value(0))))
        .select_related("country")
        .order_by("-exact", "-population", "pk")[:limit]
    )


def _starts_with(prefix: str) -> Q:
    if connection.vendor == "sqlite":
        # SQLite's LIKE ignores ASCII case, so it cannot use the key's binary index; a range
        # can, and the keys are casefolded already.
        return Q(names__key__gte=prefix, names__key__lt=prefix + "\U0010ffff")
    # On PostgreSQL Django gives the key a varchar_pattern_ops index, which serves LIKE 'x%'.
    return Q(names__key__startswith=prefix)


def nearest_city(latitude: float, longitude: float) -> City | None:
    """The city nearest to the point along the Earth's surface, or None if there are none.

    Each query reads only a bounding box on the (latitude, longitude) index; the box grows
    until it holds a city, then once more to the full circle through the nearest candidate,
    because a nearer city may sit outside the box but inside that circle."""
    longitude = (longitude + 180) % 360 - 180
    radius = _FIRST_RADIUS_KM
    while True:
        candidates = City.objects.filter(_bounding_box(latitude, longitude, radius)).values_list(
            "pk", "latitude", "longitude", "population"
        )
        ranked = sorted(
            (distance_km(latitude, longitude, lat, lon), -population, pk)
            for pk, lat, lon, population in candidates
        )
        if ranked and ranked[0][0] <= radius:
            return City.objects.select_related("country").get(pk=ranked[0][2])
        if ranked:
            radius = ranked[0][0]
        elif radius >= _HALF_CIRCUMFERENCE_KM:
            return None
        else:
            radius *= _WIDENING


def _bounding_box(latitude: float, longitude: float, radius_km: float) -> Q:
    """The latitude and longitude ranges that contain every point within `radius_km`."""
    angle = radius_km / EARTH_RADIUS_KM
    lat = math.radians(latitude)
    lat_min, lat_max = lat - angle, lat + angle
    box = Q(latitude__gte=math.degrees(lat_min), latitude__lte=math.degrees(lat_max))
    if lat_min <= -math.pi / 2 or lat_max >= math.pi / 2 or angle >= math.pi / 2:
        # The circle reaches a pole, so it spans every longitude.
        return box
    delta = math.degrees(math.asin(min(1.0, math.sin(angle) / math.cos(lat))))
    west, east = longitude - delta, longitude + delta
    if west < -180:
        return box & (Q(longitude__gte=west + 360) | Q(longitude__lte=east))
    if east > 180:
        return box & (Q(longitude__gte=west) | Q(longitude__lte=east - 360))
    return box & Q(longitude__gte=west, longitude__lte=east)
