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


def test_numbers_are_grouped_with_each_languages_separators():
    # Given a count of thousands, in each language (as Django's formats say, and Persian's own)
    written = {lang: i18n.localize_digits(1234567, lang) for lang in ["en", "de", "nl", "fr", "fa"]}
    # Then each reader gets the thousands separator they know
    assert written == {
        "en": "1,234,567",
        "de": "1.234.567",
        "nl": "1.234.567",
        "fr": "1\xa0234\xa0567",
        "fa": "۱٬۲۳۴٬۵۶۷",
    }
    assert i18n.localize_digits(999, "fa") == "۹۹۹"


def test_persian_writes_its_own_decimal_separator():
    # Given a number, and the same number already written out by other code (floatformat)
    # Then Persian uses the momayyez, never a Latin point between Persian digits
    assert i18n.localize_digits(0.5, "fa") == "۰٫۵"
    assert i18n.localize_digits("0.5", "fa") == "۰٫۵"
    assert i18n.localize_digits("12,345.5", "fa") == "۱۲٬۳۴۵٫۵"
    # and the other languages keep what they were given
    assert i18n.localize_digits(0.5, "de") == "0,5"
    assert i18n.localize_digits("0,5", "de") == "0,5"


def test_text_keeps_its_punctuation_and_gets_persian_digits():
    assert i18n.localize_digits("17:30", "fa") == "۱۷:۳۰"
    assert i18n.localize_digits("UTC+03:30", "fa") == "UTC+۰۳:۳۰"
    assert i18n.localize_digits("17:30", "en") == "17:30"


def test_lists_are_joined_with_the_languages_comma():
    # Given the parts of a place line, one of them empty
    parts = ["Brandenburger Tor", "برلین", "", "آلمان"]
    # Then Persian joins them with its own comma and other languages with theirs
    assert i18n.join_words(parts, "fa") == "Brandenburger Tor، برلین، آلمان"
    assert i18n.join_words(["Berlin", "Germany"], "en") == "Berlin, Germany"
    assert i18n.join_words(["Berlin", "Deutschland"], "de") == "Berlin, Deutschland"


def test_numbers_in_a_sentence_turn_persian_but_not_in_addresses_or_codes():
    text = "Ensure this value has at most 60 characters (it has 61). a1@example.org, v2"
    assert i18n.localize_numbers_in_text(text, "fa") == (
        "Ensure this value has at most ۶۰ characters (it has ۶۱). a1@example.org, v2"
    )
    assert i18n.localize_numbers_in_text(text, "en") == text
