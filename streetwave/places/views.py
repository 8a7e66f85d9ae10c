"""The gazetteer as JSON for the place picker of the organizers' action form: cities by name in
the page's language, or the city nearest to a point. Public data (GeoNames), read-only, one
indexed query; the form works without it (the same search runs when the form is sent)."""

from django.http import JsonResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from .models import City
from .search import find_cities, nearest_city

# As many as a phone shows without scrolling.
SEARCH_LIMIT = 8
QUERY_MAX_LENGTH = 100


def city_json(city: City) -> dict:
    return {
        "id": city.geonameid,
        "name": city.display_name(),
        "country": city.country.display_name(),
        "latitude": city.latitude,
        "longitude": city.longitude,
    }


def _point(text: str) -> tuple[float, float] | None:
    try:
        latitude, longitude = (float(part) for part in text.split(","))
    except ValueError:
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    return latitude, longitude


@require_GET
@cache_control(max_age=3600)
def cities(request):
    """?q=<name> lists the cities whose spelling starts with it, exact matches and larger
    cities first; ?near=<lat>,<lon> gives the nearest city. Anything else: an empty list."""
    query = request.GET.get("q", "").strip()[:QUERY_MAX_LENGTH]
    near = _point(request.GET.get("near", ""))
    if query:
        found = find_cities(query, limit=SEARCH_LIMIT)
    elif near is not None:
        nearest = nearest_city(*near)
        found = [nearest] if nearest is not None else []
    else:
        found = []
    return JsonResponse({"cities": [city_json(city) for city in found]})
