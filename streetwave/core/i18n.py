"""Dates and numbers in the reader's language.

Persian readers get the Jalali date in Persian digits, with the Gregorian date beside it
(diaspora readers live by both calendars); other languages get their locale's Gregorian form.
"""

import datetime as dt
import functools

import jdatetime
from django.utils import formats, translation
from django.utils.translation import gettext as _
from persiantools.digits import en_to_fa


def localize_digits(value, language: str | None = None) -> str:
    text = str(value)
    if (language or translation.get_language()) == "fa":
        return en_to_fa(text)
    return text


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
