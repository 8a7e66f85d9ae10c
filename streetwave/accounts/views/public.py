from allauth.account.internal.flows.login import perform_login
from allauth.account.models import Login
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from streetwave.core.crypto import normalize_contact
from streetwave.core.errors import DomainError
from streetwave.hubs.access import get_invitation_for_token
from streetwave.hubs.services import accept_invitation

from ..forms import InvitationSignupForm
from ..models import User
from ..second_factor import is_session_verified, second_factor_redirect_url
from ..services import create_invited_account


@require_http_methods(["GET", "POST"])
def invitation(request, token: str):
    """Accept an invitation to a hub, or to coordinate a campaign: an account (new, or the one
    signed in, of the invited address only), then a second factor, and only then the role."""
    invitation = get_invitation_for_token(token)
    here = request.get_full_path()
    context: dict[str, object] = {"invitation": invitation}
    user = request.user
    if not user.is_authenticated:
        if User.objects.filter(email__iexact=invitation.email).exists():
            return redirect_to_login(here)
        form = InvitationSignupForm(request.POST or None, email=invitation.email)
        if request.method == "POST" and form.is_valid():
            user = create_invited_account(
                invitation,
                password=form.cleaned_data["password1"],
                display_name=form.cleaned_data["display_name"],
                language=form.cleaned_data["language"],
            )
            return perform_login(request, Login(user=user, email=user.email, redirect_url=here))
        return render(request, "account/invitation.html", {**context, "form": form})
    if normalize_contact(user.email) != normalize_contact(invitation.email):
        return render(request, "account/invitation.html", {**context, "other_account": True})
    if not is_session_verified(request):
        context["second_factor_url"] = second_factor_redirect_url(request, here)
        return render(request, "account/invitation.html", context)
    if request.method == "POST":
        try:
            accept_invitation(invitation, user, actor=user)
        except DomainError as error:
            messages.error(request, str(error.message))
            return redirect(here)
        if invitation.campaign is not None:
            messages.success(
                request,
                _("You coordinate %(campaign)s now.") % {"campaign": invitation.campaign.title},
            )
        elif invitation.hub is not None:
            messages.success(request, _("Welcome to %(hub)s.") % {"hub": invitation.hub.name})
        return redirect("hubs:dashboard")
    return render(request, "account/invitation.html", {**context, "ready": True})


def switched_off(request, *args, **kwargs):
    """allauth's pages of a feature Streetwave switches off (re-authentication by a mailed
    code): a 404, like anything else nobody may use, rather than allauth's 403."""
    raise Http404
