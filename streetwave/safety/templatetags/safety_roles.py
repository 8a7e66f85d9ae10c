"""Safety roles on the pages of other apps, which sit below safety and do not import it: the
know-your-rights card on an action's page, a supporter's offer and briefing on their manage
link, the roles filled and missing on an action's overview and a campaign's counts."""

from django import template
from django.urls import reverse
from django.utils import translation

from streetwave.core.i18n import join_words

from .. import queries
from ..models import SafetyRole

register = template.Library()


def _languages(action) -> list[str]:
    return list(action.campaign.languages) if action.campaign_id else []


@register.inclusion_tag("safety/_rights_card.html")
def rights_card(action):
    """The card of the action's campaign for its country, in the reader's language."""
    card = queries.rights_card_for(action)
    if card is None:
        return {"text": ""}
    return {
        "text": card.text_for(translation.get_language(), _languages(action)),
        "country": action.city.country.display_name(),
    }


@register.inclusion_tag("safety/_rsvp_safety.html", takes_context=True)
def rsvp_safety(context, rsvp):
    """On a supporter's manage link: the offer form while the RSVP is live and the action not
    over, and the briefing once an organizer confirmed them in a role."""
    action = rsvp.action
    roles = queries.rsvp_roles(rsvp)
    confirmed = [role for role in roles if role.is_confirmed and rsvp.is_live]
    briefing = queries.briefing_of(action) if confirmed else None
    token = context["request"].resolver_match.kwargs["token"]
    return {
        "csrf_token": context.get("csrf_token"),
        "confirmed": confirmed,
        "confirmed_labels": join_words(role.get_kind_display() for role in confirmed),
        "confirmed_kinds": {role.kind for role in confirmed},
        "briefing": briefing.text_for(rsvp.language, _languages(action)) if briefing else "",
        "can_offer": rsvp.is_live and action.is_open_for_rsvp,
        "held": {role.kind for role in roles},
        "kinds": SafetyRole.Kind.choices,
        "offer_url": reverse("safety:offer_roles", args=[token]),
    }


@register.inclusion_tag("safety/_coverage.html")
def action_role_coverage(action):
    return {"coverage": queries.role_coverage(action)}


@register.inclusion_tag("safety/_campaign_coverage.html")
def campaign_role_coverage(campaign):
    return {"coverage": queries.campaign_role_coverage(campaign)}
