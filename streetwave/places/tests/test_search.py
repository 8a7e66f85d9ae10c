import pytest

from streetwave.places.models import City, Country
from streetwave.places.search import distance_km, find_cities, nearest_city

pytestmark = pytest.mark.django_db

BERLIN = 2950159
BRUSSELS = 2800866
TEHRAN = 112931


@pytest.mark.parametrize(
    "query",
    ["berlin", "Berlin", "BERLIN", "Berlín", "  berlin ", "برلین", "برلين", "Berlino", "Berlijn"],
)
def test_berlin_is_found_in_every_script_and_spelling(places, query):
    # when someone searches for Berlin the way they would type it
    found = find_cities(query)

    # then Berlin comes first
    assert found[0].geonameid == BERLIN


def test_persian_spellings_with_or_without_the_zero_width_non_joiner_match(places):
    # given a curated Persian name written with a zero-width non-joiner: خرم‌آباد
    # when it is typed with and without it
    with_joiner = find_cities("خرم\u200cآباد")
    without_joiner = find_cities("خرمآباد")

    # then both find Khorramabad
    assert with_joiner[0].name == without_joiner[0].name == "Khorramabad"


def test_exact_matches_come_before_larger_prefix_matches(places):
    # given "Essen" is a German city and also the start of longer names
    # when searching for it
    found = find_cities("essen")

    # then the city named exactly so is first, and the prefix matches follow by size
    assert found[0].name == "Essen"
    rest = [city.population for city in found[1:]]
    assert rest == sorted(rest, reverse=True)
    assert all(city.name != "Essen" for city in found[1:])


def test_a_prefix_finds_the_larger_cities_first(places):
    # when typing the first letters of a city
    found = find_cities("teh", limit=3)

    # then the most populous city starting so comes first
    assert found[0].geonameid == TEHRAN
    assert len(found) <= 3


def test_a_city_is_listed_once_however_many_of_its_names_match(places):
    # when several spellings of Berlin start with the query
    found = find_cities("ber", limit=50)

    # then each city appears once
    assert len({city.pk for city in found}) == len(found)


def test_nothing_to_search_finds_nothing(places):
    assert find_cities("") == []
    assert find_cities("  -  ") == []
    assert find_cities("qqqzzz") == []


def test_search_is_a_single_query_whatever_it_finds(places, django_assert_num_queries):
    # when a search matches many cities and their countries are read
    with django_assert_num_queries(1):
        found = find_cities("b", limit=10)
        labels = [f"{city.name}, {city.country.name}" for city in found]

    # then the page has its ten cities from one query
    assert len(labels) == 10


def test_search_by_name_in_a_loaded_database_stays_cheap(places, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        assert find_cities("برلین")[0].geonameid == BERLIN


def test_the_nearest_city_to_a_point_in_brussels_is_brussels(places):
    # given a point near the Grand-Place, in the centre of Brussels
    # when looking for the nearest city
    city = nearest_city(50.8466, 4.3528)

    # then it is Brussels
    assert city is not None
    assert city.geonameid == BRUSSELS


def test_the_nearest_city_is_the_closest_one_not_the_first_in_the_box(places):
    # given a point at Place Schuman, between Brussels' centre and Etterbeek's
    lat, lon = 50.8427, 4.3826

    # when looking for the nearest city
    city = nearest_city(lat, lon)

    # then no loaded city is closer than the one returned
    assert city is not None
    closest = min(
        City.objects.all(), key=lambda other: distance_km(lat, lon, other.latitude, other.longitude)
    )
    assert city.pk == closest.pk


def test_a_point_far_from_every_city_still_finds_the_nearest(places):
    # given a point in the Indian Ocean, thousands of kilometres from any loaded city
    city = nearest_city(-20.0, 60.0)

    # then the search widens until it finds one, and it is truly the closest (an Iranian port)
    assert city is not None
    assert city.country.code == "IR"
    closest = min(
        City.objects.all(),
        key=lambda other: distance_km(-20.0, 60.0, other.latitude, other.longitude),
    )
    assert city.pk == closest.pk


def test_no_cities_means_no_nearest_city(db):
    assert nearest_city(50.85, 4.35) is None


def _city(geonameid, latitude, longitude):
    country, _created = Country.objects.get_or_create(code="XX", defaults={"name": "Testland"})
    return City.objects.create(
        geonameid=geonameid,
        name=f"City {geonameid}",
        country=country,
        latitude=latitude,
        longitude=longitude,
        timezone="UTC",
    )


def test_nearest_city_finds_a_city_across_the_antimeridian(db):
    # given one city just east of the antimeridian and one farther away to its west
    near = _city(1, -16.5, -179.9)
    _city(2, -16.5, 178.0)

    # when looking from just west of the antimeridian
    # then the city on the other side of it is nearest
    assert nearest_city(-16.5, 179.9) == near


def test_a_nearer_city_just_outside_the_first_box_wins_over_one_in_its_corner(db):
    # given a city in the corner of the first search box, about 31 km away, and a city due
    # north, about 30 km away, just outside that box
    corner = _city(1, 50.2, 8.31)
    north = _city(2, 50.27, 8.0)
    assert distance_km(50.0, 8.0, north.latitude, north.longitude) < distance_km(
        50.0, 8.0, corner.latitude, corner.longitude
    )

    # when looking for the nearest city
    # then the one due north is found, not the first one the box held
    assert nearest_city(50.0, 8.0) == north


def test_distance_between_known_cities():
    # Berlin to Tehran is about 3,500 km; a point is 0 km from itself
    assert distance_km(52.52, 13.405, 35.6944, 51.4215) == pytest.approx(3520, abs=30)
    assert distance_km(50.85, 4.35, 50.85, 4.35) == 0
    # a quarter of the way around the Earth along the equator
    assert distance_km(0, 0, 0, 90) == pytest.approx(10007.5, abs=1)
