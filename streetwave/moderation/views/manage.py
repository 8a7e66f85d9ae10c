"""Organizer pages of moderation: a campaign's coordinators work through the queue (reports,
hub flags, held takedowns, suspended hubs), take actions down and suspend or reinstate hubs; a
hub lead flags another hub. Every view passes organizer_required, then an access helper (404),
then at most one service."""

from functools import partial

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from streetwave.accounts.decorators import organizer_required
from streetwave.campaigns.access import get_campaign_for
from streetwave.core.i18n import localize_digits
from streetwave.core.views.buttons import press
from streetwave.core.views.forms import fill_in
from streetwave.hubs.permissions import permissions_for

from .. import queries, services
from ..access import (
    get_action_to_take_down_for,
    get_flag_for,
    get_hub_to_flag_for,
    get_hub_to_moderate_for,
    get_report_for,
    get_takedown_for,
    hubs_flagging_as,
)
from ..forms import FlagForm, TakedownForm
from ..models import MODERATION_APPROVAL_THRESHOLD, Takedown

ACTIONS_PER_PAGE = 20


def _to_queue(slug: str):
    return redirect("moderation:queue", slug)


def _takedown_form(request, campaign, *, take, template: str, context: dict, taken: str):
    """The form of a takedown, of an action or of a hub (its suspension): `take` is its one
    service, given the reason, the note and the actor; `taken` tells the coordinator what
    happened when it took effect at once rather than waiting for a second coordinator."""

    def save(form: TakedownForm) -> Takedown:
        return take(
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
            actor=request.user,
        )

    def done(takedown: Takedown):
        if takedown.is_held:
            messages.warning(
                request,
                _(
                    "It would tell more than %(threshold)s people, so it waits until a second "
                    "coordinator approves it. Until then nothing changes."
                )
                % {"threshold": localize_digits(MODERATION_APPROVAL_THRESHOLD)},
            )
        else:
            messages.success(request, taken)
        return _to_queue(campaign.slug)

    return fill_in(
        request,
        TakedownForm,
        show=lambda form, status: render(
            request,
            template,
            {
                "campaign": campaign,
                **context,
                "form": form,
                "threshold": MODERATION_APPROVAL_THRESHOLD,
            },
            status=status,
        ),
        save=save,
        done=done,
    )


@organizer_required
def queue(request, slug):
    campaign = get_campaign_for(request.user, slug, "can_moderate")
    page = Paginator(queries.reported_actions(campaign), ACTIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "moderation/manage/queue.html",
        {
            "campaign": campaign,
            "page": page,
            "reported": queries.with_reports(list(page.object_list)),
            "held": queries.held_takedowns(request.user, campaign),
            "flags": queries.open_flags(request.user),
            "suspended": queries.suspended_hubs(request.user),
            "may_approve": "can_approve_moderation" in permissions_for(request.user, campaign),
            "threshold": MODERATION_APPROVAL_THRESHOLD,
        },
    )


@organizer_required
@require_POST
def report_handled(request, slug, report_id):
    report = get_report_for(request.user, slug, report_id)
    press(request, services.mark_report_handled, report, success=_("The report is handled."))
    return _to_queue(slug)


@organizer_required
def take_down(request, slug, action_id):
    campaign, action = get_action_to_take_down_for(request.user, slug, action_id)
    return _takedown_form(
        request,
        campaign,
        take=partial(services.take_down_action, action),
        template="moderation/manage/take_down.html",
        context={"action": action},
        taken=_(
            "The action is taken down. It has left the map and the lists, and the people "
            "who were going are being told."
        ),
    )


@organizer_required
def suspend(request, slug, hub_id):
    campaign, hub = get_hub_to_moderate_for(request.user, slug, hub_id)
    return _takedown_form(
        request,
        campaign,
        take=partial(services.suspend_hub, hub),
        template="moderation/manage/suspend.html",
        context={"hub": hub},
        taken=_(
            "The hub is suspended. Its actions are taken down and its organizers no "
            "longer reach its pages."
        ),
    )


@organizer_required
@require_POST
def reinstate(request, slug, hub_id):
    _campaign, hub = get_hub_to_moderate_for(request.user, slug, hub_id)
    press(
        request,
        services.reinstate_hub,
        hub,
        success=_(
            "The hub is active again. Its organizers reach its pages; the actions taken down stay "
            "removed."
        ),
    )
    return _to_queue(slug)


@organizer_required
@require_POST
def takedown_approve(request, slug, takedown_id):
    takedown = get_takedown_for(request.user, slug, takedown_id, "can_approve_moderation")
    press(request, services.approve_takedown, takedown, success=_("Approved: it is taken down."))
    return _to_queue(slug)


@organizer_required
@require_POST
def takedown_withdraw(request, slug, takedown_id):
    takedown = get_takedown_for(request.user, slug, takedown_id)
    press(
        request,
        services.withdraw_takedown,
        takedown,
        success=_("Withdrawn: nothing is taken down."),
    )
    return _to_queue(slug)


@organizer_required
@require_POST
def flag_handled(request, slug, flag_id):
    flag = get_flag_for(request.user, slug, flag_id)
    press(request, services.mark_flag_handled, flag, success=_("The flag is handled."))
    return _to_queue(slug)


# -- hub leads ---------------------------------------------------------------------------------


@organizer_required
def flag(request, public_id):
    hub = get_hub_to_flag_for(request.user, public_id)
    hubs = hubs_flagging_as(request.user).exclude(pk=hub.pk).select_related("city")

    def save(form: FlagForm):
        return services.flag_hub(
            hub,
            by_hub=form.cleaned_data["by_hub"],
            reason=form.cleaned_data["reason"],
            actor=request.user,
        )

    def done(_flag):
        messages.success(
            request,
            _("Thank you. The coordinators of the campaigns this hub answered will look into it."),
        )
        return redirect("hubs:detail", hub.public_id)

    return fill_in(
        request,
        lambda data=None: FlagForm(data, hubs=hubs),
        show=lambda form, status: render(
            request, "moderation/manage/flag.html", {"hub": hub, "form": form}, status=status
        ),
        save=save,
        done=done,
    )
