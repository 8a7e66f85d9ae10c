"""Dates, numbers and lists in the reader's language.

Persian readers get the Jalali date in Persian digits, with the Gregorian date beside it
(diaspora readers live by both calendars); other languages get their locale's Gregorian form.
Numbers are grouped by thousands with the language's own separators (1,234 in English, 1.234
in German, the Persian thousands and decimal marks in Persian), and lists are joined with its own
comma (the Persian comma in Persian).
"""

import datetime as dt
import functools
import re
from collections.abc import Iterable
from decimal import Decimal

import jdatetime
from django.utils import formats, numberformat, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from persiantools.digits import en_to_fa

# Django's fa formats keep the Latin "." and "," and group nothing; Persian has its own marks.
PERSIAN_DECIMAL_SEPARATOR = "\u066b"
PERSIAN_THOUSAND_SEPARATOR = "\u066c"
_PERSIAN_MARKS = {".": PERSIAN_DECIMAL_SEPARATOR, ",": PERSIAN_THOUSAND_SEPARATOR}
# A "." or "," between two digits, in a number some other code already wrote out ("0.5").
_MARK_IN_NUMBER = re.compile(r"(?<=\d)[.,](?=\d)")
# A run of digits that is not part of a Latin word, an address or a code ("x2", "a1@b.org").
_NUMBER_IN_TEXT = re.compile(r"(?<![\w@.\-])\d+(?:[.,]\d+)*(?![\w@\-]|\.\w)", re.ASCII)


def _language(language: str | None) -> str:
    return language or translation.get_language() or "en"


def format_number(value: int | float | Decimal, language: str | None = None) -> str:
    """A number grouped by thousands, with the separators and digits of `language`."""
    language = _language(language)
    if language == "fa":
        return en_to_fa(
            numberformat.format(
                value,
                PERSIAN_DECIMAL_SEPARATOR,
                grouping=3,
                thousand_sep=PERSIAN_THOUSAND_SEPARATOR,
                force_grouping=True,
            )
        )
    with translation.override(language):
        return str(formats.number_format(value, force_grouping=True))


def localize_digits(value: object, language: str | None = None) -> str:
    """A number formatted for `language`; text with its digits (and the "." or "," inside a
    number) in the language's script, which only Persian changes."""
    language = _language(language)
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return format_number(value, language)
    text = str(value)
    if language == "fa":
        return en_to_fa(_MARK_IN_NUMBER.sub(lambda mark: _PERSIAN_MARKS[mark.group()], text))
    return text


def localize_numbers_in_text(text: str, language: str | None = None) -> str:
    """The numbers of a sentence that other code wrote with Latin digits ("at most 60
    characters"), in Persian digits; Latin words, addresses and codes keep theirs."""
    if _language(language) != "fa":
        return text
    return _NUMBER_IN_TEXT.sub(lambda number: localize_digits(number.group(), "fa"), text)


def format_percent(value: int | float | Decimal, language: str | None = None) -> str:
    """57% in English, 57 % in French and German, the Persian percent sign in Persian."""
    language = _language(language)
    with translation.override(language):
        return pgettext("a percentage", "%(number)s%%") % {"number": format_number(value, language)}


def list_separator(language: str | None = None) -> str:
    with translation.override(_language(language)):
        return pgettext("between the items of a list", ", ")


def join_words(items: Iterable[object], language: str | None = None) -> str:
    """Items of a list, or the parts of "place, city, country", in one line: "Berlin, Germany",
    «برلین، آلمان». Empty parts are left out."""
    return list_separator(language).join(str(item) for item in items if item not in (None, ""))


def jalali_date(value: dt.date) -> str:
    """e.g. 'شنبه ۲۵ خرداد ۱۳۹۸' for 2019-06-15."""
    jdate = jdatetime.date.fromgregorian(date=value, locale="fa_IR")
    return en_to_fa(f"{jdate.strftime('%A')} {jdate.day} {jdate.strftime('%B')} {jdate.year}")


def gregorian_date(value: dt.date, language: str | None = None) -> str:
    with translation.override(language or translation.get_language()):
        return localize_digits(formats.date_format(value, "DATE_FORMAT"))


def format_date(value: dt.date | dt.datetime, language: str | None = None) -> str:
    """The date as a reader of `language` expects it; in Persian, Jalali — Gregorian."""
    if isinstance(value, dt.datetime):
        value = value.date()
    return _format_date(value, language or translation.get_language())


# A map or a wave formats the same few days thousands of times.
@functools.lru_cache(maxsize=4096)
def _format_date(value: dt.date, language: str) -> str:
    if language == "fa":
        return f"{jalali_date(value)} — {gregorian_date(value, 'fa')}"
    return gregorian_date(value, language)


def format_time(value: dt.datetime, language: str | None = None) -> str:
    language = language or translation.get_language()
    return localize_digits(value.strftime("%H:%M"), language)


def format_utc_offset(value: dt.datetime, language: str | None = None) -> str:
    """'UTC+03:30' in the reader's digits; the offset of an aware datetime in its own zone."""
    offset = value.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, minutes = divmod(abs(minutes), 60)
    return localize_digits(
        _("UTC%(sign)s%(hours)02d:%(minutes)02d")
        % {
            "sign": sign,
            "hours": hours,
            "minutes": minutes,
        },
        language,
    )


def format_datetime(value: dt.datetime, language: str | None = None) -> str:
    """Date, local time and UTC offset of an aware datetime already in its local zone."""
    language = language or translation.get_language()
    return _("%(date)s, %(time)s (%(offset)s)") % {
        "date": format_date(value, language),
        "time": format_time(value, language),
        "offset": format_utc_offset(value, language),
    }
