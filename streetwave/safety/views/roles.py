"""Pages of safety roles: the organizers' safety page of an action (roles, offers, briefing), the
coordinators' know-your-rights cards, and a supporter's offer from their manage link."""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from streetwave.accounts.decorators import organizer_required
from streetwave.actions.access import get_action_with_permissions_for, get_rsvp_for_token
from streetwave.campaigns.access import get_campaign_for
from streetwave.core.errors import DomainError
from streetwave.core.views.buttons import press
from streetwave.core.views.forms import fill_in
from streetwave.places.models import Country

from .. import queries, services
from ..access import get_safety_role_for
from ..forms import BriefingForm, OfferForm, RightsCardForm, TakeRoleForm


def _roles_page(request, action, permissions, form, take_form=None, status=200):
    return render(
        request,
        "safety/manage_roles.html",
        {
            "action": action,
            "permissions": permissions,
            "current": "safety",
            "coverage": queries.role_coverage(action),
            "roles": queries.action_roles(action),
            "form": form,
            "take_form": take_form or TakeRoleForm(),
            "briefing_languages": form.languages,
        },
        status=status,
    )


def _back(action):
    return redirect("safety:manage_roles", action.public_id)


@organizer_required
def manage_roles(request, action_id):
    """The safety roles of an action, the offers waiting, and the briefing (the form here)."""
    action, permissions = get_action_with_permissions_for(
        request.user, action_id, "can_manage_safety_roles"
    )
    briefing = queries.briefing_of(action)

    def done(_briefing):
        messages.success(
            request,
            _(
                "The briefing is saved. The people in confirmed roles who have not had it yet "
                "are mailed it; everyone in a role sees the latest version on their page."
            ),
        )
        return _back(action)

    return fill_in(
        request,
        lambda data=None: BriefingForm(
            data,
            languages=services.briefing_languages(action),
            texts=briefing.texts if briefing else None,
        ),
        show=lambda form, status: _roles_page(request, action, permissions, form, status=status),
        save=lambda form: services.write_safety_briefing(
            action, texts=form.texts(), actor=request.user
        ),
        done=done,
    )


@organizer_required
@require_POST
def take_role(request, action_id):
    action, permissions = get_action_with_permissions_for(
        request.user, action_id, "can_manage_safety_roles"
    )
    form = TakeRoleForm(request.POST)
    if not form.is_valid():
        briefing = queries.briefing_of(action)
        briefing_form = BriefingForm(
            languages=services.briefing_languages(action),
            texts=briefing.texts if briefing else None,
        )
        return _roles_page(request, action, permissions, briefing_form, form, status=400)
    press(
        request,
        services.take_safety_role,
        action,
        kind=form.cleaned_data["kind"],
        success=_("You hold this role now."),
    )
    return _back(action)


@organizer_required
@require_POST
def confirm_role(request, role_id):
    role = get_safety_role_for(request.user, role_id)
    press(
        request,
        services.confirm_safety_role,
        role,
        success=_("The role is confirmed. Its holder gets the briefing."),
    )
    return _back(role.action)


@organizer_required
@require_POST
def decline_role(request, role_id):
    role = get_safety_role_for(request.user, role_id)
    press(
        request,
        services.decline_safety_role,
        role,
        success=_("The offer is declined or the role is given up."),
    )
    return _back(role.action)


def _rights_page(request, campaign, form, status=200):
    return render(
        request,
        "safety/manage_rights.html",
        {
            "campaign": campaign,
            "cards": queries.rights_cards(campaign),
            "form": form,
            "current": "rights",
        },
        status=status,
    )


@organizer_required
def manage_rights(request, slug):
    """The campaign's know-your-rights cards; `?country=XX` opens one to edit."""
    campaign = get_campaign_for(request.user, slug, "can_write_rights_cards")
    country = Country.objects.filter(code=request.GET.get("country", "")).first()
    card = campaign.rights_cards.filter(country=country).first() if country else None
    languages = services.card_languages(campaign)

    def done(saved):
        messages.success(
            request,
            _("The card is saved: it shows with every action of the campaign in this country.")
            if saved is not None
            else _("The card is removed."),
        )
        return redirect("safety:manage_rights", campaign.slug)

    return fill_in(
        request,
        lambda data=None: RightsCardForm(
            data, languages=languages, texts=card.texts if card else None, country=country
        ),
        show=lambda form, status: _rights_page(request, campaign, form, status),
        save=lambda form: services.write_rights_card(
            campaign, country=form.cleaned_data["country"], texts=form.texts(), actor=request.user
        ),
        done=done,
    )


def _see_other(url: str) -> HttpResponseRedirect:
    # 303: the browser asks for `url` with GET, so reloading it sends nothing again.
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def offer_roles(request, token):
    """A supporter offers safety roles, or withdraws them, from their manage link (POST). A GET,
    like any secret link's, answers only for a link that exists: back to its page."""
    rsvp = get_rsvp_for_token(token)
    here = reverse("actions:manage", args=[token])
    if request.method != "POST":
        return _see_other(here)
    form = OfferForm(request.POST)
    if not form.is_valid():
        return _see_other(here)
    try:
        services.offer_safety_roles(rsvp, kinds=form.cleaned_data["kinds"])
    except DomainError:
        # The page says why: the RSVP is cancelled or the action is over.
        return _see_other(here)
    return _see_other(f"{here}?done=saved")
