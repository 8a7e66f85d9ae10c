from django import template

from streetwave.accounts.next_url import safe_next_url
from streetwave.accounts.second_factor import AFTER_SETUP_SESSION_KEY

register = template.Library()


@register.simple_tag(takes_context=True)
def after_second_factor_setup(context) -> str:
    """The organizer page that sent someone to set up a second factor, to go back to."""
    request = context.get("request")
    if request is None:
        return ""
    # Checked again here: a session may hold a link stored before links were checked.
    return safe_next_url(request, request.session.get(AFTER_SETUP_SESSION_KEY), fallback="")
