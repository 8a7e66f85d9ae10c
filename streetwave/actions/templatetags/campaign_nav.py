"""The coordinators' campaign pages show only what their reader may open: the tabs and buttons
ask the policy once per page, whichever view rendered it."""

from django import template

from streetwave.hubs.permissions import Permission, permissions_for

register = template.Library()


@register.simple_tag(takes_context=True)
def campaign_permissions(context: template.Context, campaign: object) -> frozenset[Permission]:
    return permissions_for(context["request"].user, campaign)
