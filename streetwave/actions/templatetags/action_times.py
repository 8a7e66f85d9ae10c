from django import template

from streetwave.core import i18n

register = template.Library()


@register.simple_tag
def time_range(start, end) -> str:
    """The start's date, time and UTC offset, then the end's time (and date, when the end falls
    on another day); both are aware datetimes in the action's zone."""
    if start.date() == end.date():
        return f"{i18n.format_datetime(start)} – {i18n.format_time(end)}"
    return f"{i18n.format_datetime(start)} – {i18n.format_datetime(end)}"
