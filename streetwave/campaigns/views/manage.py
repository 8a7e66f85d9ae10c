"""The campaign's own console pages, under /<lang>/manage/campaigns/: creating one (operators),
its settings, and its life from draft to open, ended and archived (its coordinators and the
operators). Every view passes organizer_required, then an access helper (404), then at most one
service."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from streetwave.accounts.decorators import organizer_required
from streetwave.core.views.buttons import press
from streetwave.core.views.forms import fill_in

from .. import services
from ..access import get_campaign_for, require_campaign_creator
from ..forms import (
    CampaignCreateForm,
    CampaignSettingsForm,
    HighRiskCountriesForm,
    StateChangeForm,
)
from ..models import Campaign
from ..queries import high_risk_countries

# change -> (the state it starts from, the button, what happens, what was done)
_CHANGES = {
    "open": (
        Campaign.Status.DRAFT,
        lambda: _("Open the campaign"),
        lambda: _(
            "Its pages become public, hubs can plan actions in it and supporters can RSVP. It "
            "cannot go back to being a draft."
        ),
        lambda: _("The campaign is open."),
    ),
    "end": (
        Campaign.Status.LIVE,
        lambda: _("End the campaign"),
        lambda: _(
            "No action of the campaign takes new RSVPs and no new action can be planned in it. "
            "Its pages stay, and hubs can still report back. This cannot be undone."
        ),
        lambda: _("The campaign has ended."),
    ),
    "archive": (
        Campaign.Status.ENDED,
        lambda: _("Archive the campaign"),
        lambda: _(
            "It leaves the home page; its pages stay at their address. This cannot be undone."
        ),
        lambda: _("The campaign is archived."),
    ),
}


def _next_change(campaign: Campaign) -> dict | None:
    for name, (source, button, explanation, _done) in _CHANGES.items():
        if campaign.status == source:
            return {"name": name, "button": button(), "explanation": explanation()}
    return None


def _settings(campaign: Campaign):
    return redirect("campaigns:manage_settings", campaign.slug)


@organizer_required
def create(request):
    require_campaign_creator(request.user)

    def save(form: CampaignCreateForm) -> Campaign:
        data = form.cleaned_data
        return services.create_campaign(
            slug=data["slug"],
            texts=form.texts(),
            languages=form.languages(),
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            zone=data["zone"],
            goal=data["goal"],
            actor=request.user,
        )

    def done(campaign: Campaign):
        messages.success(
            request,
            _(
                "The campaign is saved as a draft: nobody else sees it. Add its texts, then "
                "preview and open it."
            ),
        )
        return _settings(campaign)

    return fill_in(
        request,
        lambda data=None: CampaignCreateForm(data),
        show=lambda form, status: render(
            request, "campaigns/manage/create.html", {"form": form}, status=status
        ),
        save=save,
        done=done,
    )


@organizer_required
def campaign_settings(request, slug):
    campaign = get_campaign_for(request.user, slug, "can_edit_campaign")

    def done(saved: Campaign):
        messages.success(request, _("The campaign's settings are saved."))
        return _settings(saved)

    return fill_in(
        request,
        lambda data=None: CampaignSettingsForm(data, campaign=campaign),
        show=lambda form, status: render(
            request,
            "campaigns/manage/settings.html",
            {
                "campaign": campaign,
                "form": form,
                "change": _next_change(campaign),
                "current": "settings",
            },
            status=status,
        ),
        save=lambda form: services.update_campaign(
            campaign, details=form.details(), actor=request.user
        ),
        done=done,
    )


@organizer_required
def state(request, slug):
    """A change of state, after a confirmation page: GET shows what the next change does,
    POST makes it."""
    campaign = get_campaign_for(request.user, slug, "can_change_campaign_state")
    if request.method == "POST":
        form = StateChangeForm(request.POST)
        if form.is_valid():
            change = form.cleaned_data["change"]
            press(
                request,
                services.TRANSITIONS[change],
                campaign,
                success=_CHANGES[change][3](),
            )
        return _settings(campaign)
    return render(
        request,
        "campaigns/manage/state.html",
        {
            "campaign": campaign,
            "change": _next_change(campaign),
            "current": "settings",
        },
    )


@organizer_required
def high_risk(request, slug):
    """The countries this campaign adds to the instance's high-risk ones."""
    campaign = get_campaign_for(request.user, slug, "can_edit_campaign")
    return high_risk_page(request, campaign)


def high_risk_page(request, campaign: Campaign | None):
    """The high-risk countries of the instance (`campaign` None) or of one campaign: what the
    rule does, the instance's own list (on a campaign's page), and the form."""

    def done(_nothing: None):
        messages.success(request, _("The high-risk countries are saved."))
        if campaign is None:
            return redirect("campaigns:instance_high_risk")
        return redirect("campaigns:manage_high_risk", campaign.slug)

    chosen = high_risk_countries(campaign)
    return fill_in(
        request,
        lambda data=None: HighRiskCountriesForm(data, chosen=chosen),
        show=lambda form, status: render(
            request,
            "campaigns/manage/high_risk.html",
            {
                "campaign": campaign,
                "form": form,
                "chosen": chosen,
                "instance_countries": high_risk_countries(None) if campaign else [],
                "current": "high_risk",
            },
            status=status,
        ),
        save=lambda form: services.set_high_risk_countries(
            list(form.cleaned_data["countries"]), campaign=campaign, actor=request.user
        ),
        done=done,
    )
