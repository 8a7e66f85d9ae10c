"""How a report-back's turnout reads: "300 people", "about 300 people", in the reader's
language and digits."""

from django import template
from django.utils.translation import gettext, ngettext

from streetwave.core.i18n import localize_digits

register = template.Library()


def turnout_words(turnout: int | None, *, estimate: bool) -> str:
    count = turnout or 0
    if estimate:
        text = ngettext("about %(count)s person", "about %(count)s people", count)
    else:
        text = ngettext("%(count)s person", "%(count)s people", count)
    return text % {"count": localize_digits(count)}


@register.filter
def turnout(report_back) -> str:
    """The turnout of a report-back that took place, as a phrase; empty otherwise."""
    if not report_back.took_place or report_back.turnout is None:
        return ""
    return turnout_words(report_back.turnout, estimate=report_back.turnout_is_estimate)


@register.filter
def done_line(report_back) -> str:
    """What the wave and the wall say of an action reported back: "Done: 300 people"."""
    if not report_back.took_place:
        return gettext("Did not take place.")
    return gettext("Done: %(turnout)s") % {"turnout": turnout(report_back)}
