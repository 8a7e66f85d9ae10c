"""Count-only participation (docs/privacy.md, "Count-only participation"): someone inside a
high-risk country says they joined the campaign's day in their city, and that city's counter
goes up by one. Nothing else is written anywhere; the client is limited under a keyed hash that
only the cache holds, for minutes."""

import logging
import threading
import time

import pytest
from django.core.cache import cache
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from streetwave.campaigns import services
from streetwave.campaigns.models import Campaign, InsideCount
from streetwave.campaigns.services import inside_client_key
from streetwave.core.ratelimit import pseudonymous_address
from streetwave.places.models import Country

pytestmark = pytest.mark.django_db

# A documentation address (RFC 5737): a canary that must appear nowhere but in the request.
ADDRESS = "203.0.113.77"


@pytest.fixture
def inside(campaign, make_city):
    """The campaign, with Iran high-risk for the instance: Tehran and Shiraz inside, Berlin out."""
    tehran = make_city(
        "Tehran", country="IR", timezone="Asia/Tehran", lat=35.69, lon=51.39, name_fa="تهران"
    )
    shiraz = make_city(
        "Shiraz",
        country="IR",
        timezone="Asia/Tehran",
        lat=29.61,
        lon=52.54,
        name_fa="شیراز",
        population=1_500_000,
    )
    berlin = make_city("Berlin")
    Country.objects.filter(code="IR").update(high_risk=True)
    return {"campaign": campaign, "tehran": tehran, "shiraz": shiraz, "berlin": berlin}


def page(campaign, language="en"):
    return f"/{language}/c/{campaign.slug}/inside/"


def press(client, campaign, city=None, *, name="", address=ADDRESS, language="en"):
    data = {"city": str(city.geonameid) if city else "", "city_name": name}
    return client.post(page(campaign, language), data, REMOTE_ADDR=address)


def every_row() -> dict[str, list[tuple]]:
    """Every row of every table, to compare before and after."""
    rows = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 a name of our own schema
            rows[table] = sorted(cursor.fetchall(), key=repr)
    return rows


def counts(campaign) -> dict[str, int]:
    return dict(InsideCount.objects.filter(campaign=campaign).values_list("city__name", "count"))


def test_the_counter_holds_nothing_but_campaign_city_and_count():
    assert [field.name for field in InsideCount._meta.concrete_fields] == [
        "id",
        "campaign",
        "city",
        "count",
    ]


def test_a_press_adds_one_to_its_city_and_writes_nothing_else(client, inside):
    campaign, tehran = inside["campaign"], inside["tehran"]
    press(client, campaign, tehran, address="198.51.100.1")
    before = every_row()

    response = press(client, campaign, tehran)

    assert response.status_code == 200
    assert "Counted. Thank you." in response.content.decode()
    after = every_row()
    changed = {table for table in after if after[table] != before[table]}
    assert changed == {InsideCount._meta.db_table}
    assert len(after[InsideCount._meta.db_table]) == len(before[InsideCount._meta.db_table])
    assert counts(campaign) == {"Tehran": 2}


def test_a_press_is_one_update_of_its_citys_row_and_locks_nothing(inside):
    campaign, tehran = inside["campaign"], inside["tehran"]
    services.count_joined_inside(campaign, city=tehran, client_address=ADDRESS)

    with CaptureQueriesContext(connection) as captured:
        services.count_joined_inside(campaign, city=tehran, client_address=ADDRESS)

    statements = [query["sql"].upper() for query in captured.captured_queries]
    writes = [sql for sql in statements if sql.startswith(("UPDATE", "INSERT", "DELETE"))]
    assert len(writes) == 1 and InsideCount._meta.db_table.upper() in writes[0]
    assert not any("FOR UPDATE" in sql for sql in statements)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_presses_all_count(campaign, make_city):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serializes every writer")
    tehran = make_city("Tehran", country="IR", timezone="Asia/Tehran", lat=35.69, lon=51.39)
    Country.objects.filter(code="IR").update(high_risk=True)
    barrier = threading.Barrier(12)
    errors = []

    def worker(i):
        try:
            barrier.wait()
            for press in range(5):
                address = f"198.51.100.{i * 5 + press}"
                services.count_joined_inside(campaign, city=tehran, client_address=address)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # every press of the first moment counted, the city's row made once
    assert errors == []
    assert counts(campaign) == {"Tehran": 60}


def test_a_citys_first_press_makes_its_row_and_nothing_else(client, inside):
    before = every_row()

    press(client, inside["campaign"], inside["shiraz"])

    after = every_row()
    assert {table for table in after if after[table] != before[table]} == {
        InsideCount._meta.db_table
    }
    assert counts(inside["campaign"]) == {"Shiraz": 1}


def test_the_client_key_is_in_no_table_no_log_and_only_the_cache(client, inside, caplog):
    campaign = inside["campaign"]
    key = inside_client_key(ADDRESS, campaign)
    window = services.INSIDE_WINDOW_SECONDS
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django")
    # Every query is logged (django.db.backends) while they are captured.
    with CaptureQueriesContext(connection):
        response = press(client, campaign, inside["tehran"])
    assert response.status_code == 200

    canaries = [ADDRESS, pseudonymous_address(ADDRESS).removeprefix("addr-"), key]
    database = repr(every_row())
    logged = caplog.text + "".join(repr(record.__dict__) for record in caplog.records)
    assert InsideCount._meta.db_table in logged  # the queries were logged, and searched
    for canary in canaries:
        assert canary not in database
        assert canary not in logged
    assert cache.get(f"ratelimit:inside:{key}:{int(time.time() // window)}") == 1


def test_the_cache_forgets_the_client_key_after_its_window(client, inside, monkeypatch):
    monkeypatch.setattr(services, "INSIDE_WINDOW_SECONDS", 1)
    campaign = inside["campaign"]
    prefix = f"ratelimit:inside:{inside_client_key(ADDRESS, campaign)}"
    started = int(time.time())

    press(client, campaign, inside["tehran"])

    # the press fell in the second it started in, or the next
    windows = range(started, int(time.time()) + 1)
    kept = [f"{prefix}:{window}" for window in windows if cache.get(f"{prefix}:{window}") == 1]
    assert len(kept) == 1
    time.sleep(2.2)
    assert cache.get(kept[0]) is None


def test_one_network_is_limited_per_campaign(client, inside, make_campaign, monkeypatch):
    monkeypatch.setattr(services, "INSIDE_PRESSES_PER_CLIENT", 3)
    campaign, tehran = inside["campaign"], inside["tehran"]
    for _ in range(3):
        assert press(client, campaign, tehran).status_code == 200

    refused = press(client, campaign, tehran)

    assert refused.status_code == 429
    assert "Try again in ten minutes" in refused.content.decode()
    assert counts(campaign) == {"Tehran": 3}
    # another network, and the same one in another campaign, still count
    assert press(client, campaign, tehran, address="198.51.100.2").status_code == 200
    other = make_campaign("other")
    other.high_risk_countries.add(tehran.country)
    assert press(client, other, tehran).status_code == 200
    assert (counts(campaign), counts(other)) == ({"Tehran": 4}, {"Tehran": 1})


def test_a_city_typed_in_persian_counts_for_it(client, inside):
    response = press(client, inside["campaign"], name="شیراز", language="fa")

    assert response.status_code == 200
    assert counts(inside["campaign"]) == {"Shiraz": 1}


def test_a_city_outside_the_high_risk_countries_counts_nothing(client, inside):
    campaign = inside["campaign"]
    by_list = press(client, campaign, inside["berlin"])
    by_name = press(client, campaign, name="Berlin")
    with_nothing = press(client, campaign)

    assert (by_list.status_code, by_name.status_code, with_nothing.status_code) == (400, 400, 400)
    assert "No city of that name is known in these countries" in by_name.content.decode()
    assert "Choose your city, or type its name." in with_nothing.content.decode()
    assert not InsideCount.objects.exists()


def test_the_service_refuses_a_city_of_another_country(inside):
    with pytest.raises(services.NotInside):
        services.count_joined_inside(
            inside["campaign"], city=inside["berlin"], client_address=ADDRESS
        )
    assert not InsideCount.objects.exists()


@pytest.mark.parametrize("status", [Campaign.Status.ENDED, Campaign.Status.ARCHIVED])
def test_only_an_open_campaign_counts(client, inside, status):
    campaign = inside["campaign"]
    campaign.status = status
    campaign.save(update_fields=["status"])

    assert "I joined the day in my city" not in client.get(page(campaign)).content.decode()
    assert press(client, campaign, inside["tehran"]).status_code == 409
    with pytest.raises(services.CountingClosed):
        services.count_joined_inside(campaign, city=inside["tehran"], client_address=ADDRESS)
    assert not InsideCount.objects.exists()


def test_the_page_lists_the_cities_inside_in_the_readers_language(client, inside):
    english = client.get(page(inside["campaign"])).content.decode()
    persian = client.get(page(inside["campaign"], "fa")).content.decode()

    assert "Shiraz" in english and "Tehran" in english and "Berlin" not in english
    assert "شیراز" in persian and "تهران" in persian
    # in the reader's alphabetical order, whatever their size
    assert english.index("Shiraz") < english.index("Tehran")
    assert persian.index("تهران") < persian.index("شیراز")


def test_a_campaign_with_no_country_inside_offers_no_button(client, campaign):
    html = client.get(page(campaign)).content.decode()
    assert "This campaign has no countries where gathering is dangerous." in html
    assert "I joined the day in my city" not in html


def test_the_page_shows_counts_rounded_down_and_none_under_ten(client, inside):
    campaign = inside["campaign"]
    InsideCount.objects.create(campaign=campaign, city=inside["tehran"], count=57)
    InsideCount.objects.create(campaign=campaign, city=inside["shiraz"], count=9)

    html = client.get(page(campaign)).content.decode()

    # 66 people in all, shown as 60; Tehran's 57 as 50; Shiraz's 9 not at all
    assert "At least 60 people joined inside" in html
    assert "<td>50</td>" in html and "Shiraz" not in html.split("By city")[1]
