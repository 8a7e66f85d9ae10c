"""Organizer pages under /<lang>/manage/: the dashboard, a hub's page, invitations, members,
vouching for proposals, answering a campaign's call, the coordinators' hub tree, their answers
and founding hubs, and the operators' page of a campaign's coordinators. Every view passes
organizer_required, then an access helper (404), then at most one service."""

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from streetwave.accounts.decorators import organizer_required
from streetwave.campaigns.access import get_campaign_for, get_public_campaign
from streetwave.core.views.buttons import press
from streetwave.core.views.forms import fill_in

from .. import services
from ..access import (
    get_answer_for_acceptance,
    get_coordinator_for,
    get_hub_for,
    get_membership_for,
    get_proposal_for_approval,
    get_proposal_for_voucher,
)
from ..forms import CoordinatorInviteForm, FoundingHubForm, InviteForm, VouchForm
from ..models import Hub
from ..permissions import can, permissions_for, where
from ..queries import answers_to, coordinators_of, dashboard_for, hub_overview_for
from ..tree import hub_tree_for


@organizer_required
def dashboard(request):
    return render(
        request,
        "hubs/manage/dashboard.html",
        {
            "dashboard": dashboard_for(request.user),
            # Operators find their console from here.
            "runs_instance": can(request.user, "can_run_instance", None),
        },
    )


def _hub_page(request, hub, invite_form=None, status=200):
    return render(
        request,
        "hubs/manage/hub.html",
        {
            "overview": hub_overview_for(request.user, hub),
            "invite_form": invite_form
            or InviteForm(initial={"language": request.LANGUAGE_CODE, "role": "organizer"}),
        },
        status=status,
    )


@organizer_required
def hub(request, public_id):
    return _hub_page(request, get_hub_for(request.user, public_id, "can_view_hub_dashboard"))


@organizer_required
@require_POST
def invite(request, public_id):
    hub = get_hub_for(request.user, public_id, "can_invite_organizers")

    def done(_invitation: object):
        messages.success(request, _("The invitation is on its way."))
        return redirect("hubs:manage_hub", hub.public_id)

    return fill_in(
        request,
        InviteForm,
        show=lambda form, status: _hub_page(request, hub, invite_form=form, status=status),
        save=lambda form: services.invite_organizer(hub, actor=request.user, **form.cleaned_data),
        done=done,
    )


@organizer_required
@require_POST
def remove_member(request, public_id, user_public_id):
    hub = get_hub_for(request.user, public_id, "can_manage_members")
    membership = get_membership_for(request.user, hub, user_public_id)
    press(
        request,
        services.remove_member,
        membership,
        success=_("The member was removed and signed out everywhere."),
    )
    return redirect("hubs:manage_hub", hub.public_id)


@organizer_required
def proposal(request, public_id):
    proposed = get_proposal_for_voucher(request.user, public_id)
    mine = where(request.user, "can_vouch_hub").hubs().filter(status=Hub.Status.ACTIVE)

    def done(_vouch: object):
        messages.success(request, _("Thank you. Your vouch is recorded."))
        return redirect("hubs:dashboard")

    return fill_in(
        request,
        lambda data=None: VouchForm(data, hubs=mine),
        show=lambda form, status: render(
            request,
            "hubs/manage/proposal.html",
            {"proposal": proposed, "form": form, "vouches": proposed.vouches.count()},
            status=status,
        ),
        save=lambda form: services.vouch_for_hub(
            proposed, voucher_hub=form.cleaned_data["voucher_hub"], actor=request.user
        ),
        done=done,
    )


@organizer_required
def tree(request, slug):
    campaign = get_campaign_for(request.user, slug, "can_view_hub_tree")
    return render(
        request,
        "hubs/manage/tree.html",
        {"campaign": campaign, "tree": hub_tree_for(campaign)},
    )


@organizer_required
@require_POST
def approve(request, slug, public_id):
    campaign, proposed = get_proposal_for_approval(request.user, slug, public_id)
    press(
        request,
        services.approve_hub,
        proposed,
        campaign=campaign,
        success=_("%(name)s is active. Its applicant has been invited as its lead.")
        % {"name": proposed.name},
    )
    return redirect("hubs:tree", campaign.slug)


@organizer_required
@require_POST
def answer_call(request, public_id, slug):
    hub = get_hub_for(request.user, public_id, "can_create_action")
    campaign = get_public_campaign(slug)
    participation = press(
        request,
        services.answer_call,
        hub,
        campaign=campaign,
        success=_("%(hub)s answered the call of %(campaign)s.")
        % {"hub": hub.name, "campaign": campaign.title},
    )
    if participation is not None and not participation.is_accepted:
        messages.info(
            request, _("A coordinator of the campaign accepts your answer before you plan actions.")
        )
    return redirect("hubs:manage_hub", hub.public_id)


@organizer_required
def answers(request, slug):
    campaign = get_campaign_for(request.user, slug, "can_view_hub_tree")
    return render(
        request,
        "hubs/manage/answers.html",
        {
            "campaign": campaign,
            "answers": answers_to(campaign),
            "permissions": permissions_for(request.user, campaign),
        },
    )


@organizer_required
@require_POST
def accept_answer(request, slug, public_id):
    campaign, participation = get_answer_for_acceptance(request.user, slug, public_id)
    press(
        request,
        services.accept_answer,
        participation,
        success=_("%(name)s takes part in the campaign and may plan actions in it.")
        % {"name": participation.hub.name},
    )
    return redirect("hubs:manage_answers", campaign.slug)


@organizer_required
def founding_hub(request, slug):
    campaign = get_campaign_for(request.user, slug, "can_create_founding_hub")

    def done(hub: Hub):
        messages.success(
            request,
            _("%(name)s is active and answers the call. Its first lead has been invited.")
            % {"name": hub.name},
        )
        return redirect("hubs:manage_answers", campaign.slug)

    return fill_in(
        request,
        lambda data=None: FoundingHubForm(
            data, initial={"languages": campaign.languages, "lead_language": request.LANGUAGE_CODE}
        ),
        show=lambda form, status: render(
            request,
            "hubs/manage/founding_hub.html",
            {"campaign": campaign, "form": form},
            status=status,
        ),
        save=lambda form: services.create_founding_hub(
            campaign, actor=request.user, **form.service_arguments()
        ),
        done=done,
    )


@organizer_required
def coordinators(request, slug):
    campaign = get_campaign_for(request.user, slug, "can_appoint_coordinator")

    def done(_invitation: object):
        messages.success(
            request,
            _("The invitation is on its way. Every operator is told of this appointment."),
        )
        return redirect("hubs:manage_coordinators", campaign.slug)

    return fill_in(
        request,
        lambda data=None: CoordinatorInviteForm(data, initial={"language": request.LANGUAGE_CODE}),
        show=lambda form, status: render(
            request,
            "hubs/manage/coordinators.html",
            {
                "campaign": campaign,
                "form": form,
                "coordinators": coordinators_of(campaign),
                "permissions": permissions_for(request.user, campaign),
            },
            status=status,
        ),
        save=lambda form: services.invite_coordinator(
            campaign, actor=request.user, **form.cleaned_data
        ),
        done=done,
    )


@organizer_required
@require_POST
def remove_coordinator(request, slug, user_public_id):
    campaign = get_campaign_for(request.user, slug, "can_appoint_coordinator")
    role = get_coordinator_for(request.user, campaign, user_public_id)
    press(
        request,
        services.remove_coordinator,
        campaign,
        user=role.user,
        success=_("The coordinator was removed and signed out everywhere."),
    )
    return redirect("hubs:manage_coordinators", campaign.slug)


@organizer_required
# The password or a second factor again before the POST (GET only asks): a session left open
# on someone else's screen must not close the account.
@reauthentication_required(allow_get=True)
@require_http_methods(["GET", "POST"])
def close_account(request):
    """One's own account closed: a confirmation, then the service, then signed out."""
    if request.method == "POST":
        if (
            press(
                request,
                services.close_account,
                request.user,
                success=_("Your account is closed."),
            )
            is not None
        ):
            logout(request)
            return redirect("account_login")
        return redirect("hubs:close_account")
    return render(request, "hubs/manage/close_account.html")
