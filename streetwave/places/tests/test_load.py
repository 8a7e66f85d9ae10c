import re

import pytest
from django.core.management import call_command

from streetwave.audit.models import AuditEntry
from streetwave.places.models import City, CityName, Country
from streetwave.places.services import UnknownCountryCode, load_places

pytestmark = pytest.mark.django_db


def test_loading_a_few_countries_brings_their_cities_and_search_names(places):
    # given the sample countries were loaded (fixture)
    countries, cities = places

    # then only they and their cities of 15,000 people or more are there
    assert countries == 3
    assert set(Country.objects.values_list("code", flat=True)) == {"DE", "BE", "IR"}
    assert City.objects.count() == cities > 1500
    assert not City.objects.filter(population__lt=15000).exists()
    berlin = City.objects.get(name="Berlin", country__code="DE")
    assert berlin.timezone == "Europe/Berlin"
    assert berlin.population > 3_000_000
    assert {"berlin", "برلین", "berlino"} <= set(berlin.names.values_list("key", flat=True))


def test_a_second_load_changes_nothing(places):
    # given a first load
    def snapshot():
        return (
            list(Country.objects.order_by("pk").values_list()),
            list(City.objects.order_by("pk").values_list()),
            sorted(CityName.objects.values_list("pk", "city_id", "key")),
        )

    before = snapshot()
    audit_entries = AuditEntry.objects.filter(verb="places.loaded").count()

    # when the same selection is loaded again
    assert load_places(countries=["de", "BE", "IR"]) == places

    # then every row is as it was, with the same ids, and nothing was written to the audit log
    assert snapshot() == before
    assert AuditEntry.objects.filter(verb="places.loaded").count() == audit_entries == 1


def test_a_reload_repairs_edited_rows_in_place(places):
    # given a city whose data and search names were changed by hand
    tehran = City.objects.get(geonameid=112931)
    City.objects.filter(pk=tehran.pk).update(name="Teheran", name_fa="", population=1)
    tehran.names.filter(key="تهران").delete()
    CityName.objects.create(city=tehran, key="stale spelling")

    # when the places are loaded again
    load_places(countries=["IR"])

    # then the same row carries the gazetteer's data again
    tehran.refresh_from_db()
    assert (tehran.name, tehran.name_fa) == ("Tehran", "تهران")
    assert tehran.population > 7_000_000
    keys = set(tehran.names.values_list("key", flat=True))
    assert "تهران" in keys
    assert "stale spelling" not in keys


def test_a_smaller_selection_keeps_the_other_cities(places):
    # given Germany, Belgium and Iran are loaded
    berlin = City.objects.get(geonameid=2950159)

    # when only big Belgian cities are loaded
    load_places(countries=["BE"], min_population=100_000)

    # then cities outside that selection stay with their search names: hubs may point at them
    assert City.objects.filter(pk=berlin.pk).exists()
    assert berlin.names.filter(key="برلین").exists()
    assert City.objects.filter(country__code="BE", population__lt=100_000).exists()


def test_countries_have_their_persian_names(places):
    # when the countries are shown in Persian and in English
    iran = Country.objects.get(code="IR")
    germany = Country.objects.get(code="DE")

    # then each has its name in either language
    assert iran.display_name("fa") == "ایران"
    assert germany.display_name("fa") == "آلمان"
    assert Country.objects.get(code="BE").name_fa == "بلژیک"
    assert germany.display_name("en") == "Germany"


def test_cities_have_curated_or_picked_persian_names(places):
    # then a curated city has the table's name and an Iranian city its own Persian name,
    # even when GeoNames typed it with Arabic letter codes
    assert City.objects.get(geonameid=2800866).display_name("fa") == "بروکسل"
    assert City.objects.get(geonameid=2950159).name_fa == "برلین"
    varamin = City.objects.get(name="Varāmīn")
    assert varamin.name_fa == "ورامین"


def test_an_unknown_country_code_is_refused_before_anything_is_written(db):
    # when a load names a country the gazetteer does not know
    with pytest.raises(UnknownCountryCode) as refused:
        load_places(countries=["DE", "XX"])

    # then it says which one, and nothing was loaded
    assert "XX" in str(refused.value.message)
    assert not Country.objects.exists()


def test_the_command_loads_and_reports_counts_and_time(db, capsys):
    # when the command loads one small country
    call_command("load_places", "--countries", "LU")

    # then it is in the database and the output says how much and how long
    output = capsys.readouterr().out
    assert Country.objects.get(code="LU").name_fa == "لوکزامبورگ"
    assert re.fullmatch(
        r"Countries loaded: 1\. Cities loaded: 3\. Time: \d+\.\d s\.", output.strip()
    )
