from django import template

from streetwave.core import i18n

register = template.Library()


@register.filter
def local_date(value):
    return i18n.format_date(value) if value else ""


@register.filter
def local_datetime(value):
    return i18n.format_datetime(value) if value else ""


@register.filter
def local_time(value):
    return i18n.format_time(value) if value else ""


@register.filter
def digits(value):
    return i18n.localize_digits(value)
