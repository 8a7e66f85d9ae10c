import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import translation

from streetwave.core import i18n


def test_jalali_date_in_persian_digits():
    assert i18n.jalali_date(dt.date(2019, 6, 15)) == "شنبه ۲۵ خرداد ۱۳۹۸"


def test_persian_shows_jalali_beside_gregorian():
    assert i18n.format_date(dt.date(2019, 6, 15), "fa") == "شنبه ۲۵ خرداد ۱۳۹۸ — ۱۵ ژوئن ۲۰۱۹"


def test_other_languages_get_their_gregorian_form():
    day = dt.date(2019, 6, 15)
    assert i18n.format_date(day, "en") == "June 15, 2019"
    assert i18n.format_date(day, "de") == "15. Juni 2019"
    assert i18n.format_date(day, "fr") == "15 juin 2019"
    assert i18n.format_date(day, "nl") == "15 juni 2019"


def test_datetime_carries_local_time_and_offset_in_the_readers_digits():
    moment = dt.datetime(2026, 3, 21, 17, 30, tzinfo=ZoneInfo("Asia/Tehran"))
    with translation.override("fa"):
        text = i18n.format_datetime(moment)
    assert "۱۷:۳۰" in text and "۰۳:۳۰" in text and "۱ فروردین ۱۴۰۵" in text
    berlin = dt.datetime(2026, 1, 10, 9, 5, tzinfo=ZoneInfo("America/Toronto"))
    assert i18n.format_datetime(berlin, "en").endswith("09:05 (UTC−05:00)")


def test_digits_only_change_in_persian():
    assert i18n.localize_digits(1234, "fa") == "۱۲۳۴"
    assert i18n.localize_digits(1234, "de") == "1234"
