from django.conf import settings
from django.shortcuts import render
from django.utils import timezone

from streetwave.actions.calendars import calendar_response
from streetwave.core import ratelimit
from streetwave.core.errors import DomainError

from .. import services
from ..access import get_application_for_token, get_public_hub
from ..forms import StartHubForm
from ..permissions import where
from ..queries import public_actions_of, sponsored_by


def detail(request, public_id):
    hub = get_public_hub(public_id)
    actions = public_actions_of(hub).select_related("city", "campaign")
    now = timezone.now()
    return render(
        request,
        "hubs/detail.html",
        {
            "hub": hub,
            "upcoming": [a for a in actions if a.ends_at >= now],
            "past": [a for a in actions if a.ends_at < now][::-1],
            "sponsored": sponsored_by(hub).select_related("city"),
            # A lead of another hub may tell the coordinators this one looks fake (no query for
            # a visitor).
            "may_flag": where(request.user, "can_flag_hub").hubs().exclude(pk=hub.pk).exists(),
        },
    )


def calendar(request, public_id):
    hub = get_public_hub(public_id)
    actions = public_actions_of(hub).select_related("city")
    return calendar_response(request, actions, name=hub.name, filename=f"hub-{hub.public_id}")


def start(request):
    """Propose a hub. The answer never says more than "check your inbox"."""
    form = StartHubForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            # Each proposal mails a link to any address typed in: keep that from becoming a
            # way to flood someone's inbox.
            ratelimit.limit("hub_start", request, limit=settings.HUB_PROPOSAL_RATE_LIMIT)
        except DomainError as error:
            form.add_error(None, error.message)
            return render(request, "hubs/start.html", {"form": form}, status=error.status_code)
        services.propose_hub(
            name=data["name"],
            city=data["city"],
            languages=data["languages"],
            motivation=data["motivation"],
            email=data["email"],
            language=request.LANGUAGE_CODE,
        )
        return render(request, "hubs/start_sent.html")
    status = 400 if form.is_bound else 200
    return render(request, "hubs/start.html", {"form": form}, status=status)


def verify(request, token):
    """A GET only shows a button: mail scanners that open links must not confirm anything."""
    application = get_application_for_token(token)
    if request.method == "POST":
        try:
            hub = services.verify_hub_application(application)
        except DomainError as error:
            return render(
                request,
                "hubs/verify.html",
                {"hub": application.hub, "error": error},
                status=error.status_code,
            )
        return render(request, "hubs/verified.html", {"hub": hub})
    return render(request, "hubs/verify.html", {"hub": application.hub})
