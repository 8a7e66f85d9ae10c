import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import template
from django.utils.html import conditional_escape, format_html_join
from django.utils.safestring import SafeString, mark_safe

from streetwave.core import i18n

register = template.Library()


@register.filter
def local_date(value: dt.date | dt.datetime | None) -> str:
    return i18n.format_date(value) if value else ""


@register.filter
def local_datetime(value: dt.datetime | None) -> str:
    return i18n.format_datetime(value) if value else ""


@register.filter
def local_time(value: dt.datetime | None) -> str:
    return i18n.format_time(value) if value else ""


@register.filter
def digits(value: object) -> str:
    """A number grouped by thousands with the reader's separators and digits (1,234 in English,
    1.234 in German); text keeps its words and gets the reader's digits."""
    return i18n.localize_digits(value)


@register.filter
def percent(value: int | float | Decimal | None) -> str:
    """A share of a hundred with the reader's digits and percent sign."""
    return i18n.format_percent(value) if value is not None else ""


@register.filter(needs_autoescape=True)
def join_words(items: Iterable[Any], autoescape: bool = True) -> SafeString:
    """A list in one line, joined by the reader's comma: `{{ names|join_words }}`."""
    escape = conditional_escape if autoescape else str
    return mark_safe(i18n.join_words(escape(item) for item in items))  # noqa: S308 - escaped


@register.simple_tag
def place_line(*parts: object, isolate: bool = False) -> str:
    """`{% place_line action.place city country %}`: "Brandenburger Tor, Berlin, Germany",
    «دروازهٔ براندنبورگ، برلین، آلمان». With `isolate=True` each part stands in its own <bdi>,
    so that a Latin name cannot reorder its Persian neighbours."""
    if isolate:
        return format_html_join(
            i18n.list_separator(), "<bdi>{}</bdi>", ((part,) for part in parts if part)
        )
    return i18n.join_words(parts)


@register.simple_tag
def list_separator() -> str:
    """The reader's comma between two pieces a template writes side by side."""
    return i18n.list_separator()
