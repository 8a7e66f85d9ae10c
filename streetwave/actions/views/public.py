from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from streetwave.core import ratelimit
from streetwave.core.errors import DomainError
from streetwave.core.text import render_markdown

from .. import services
from ..access import get_public_action, get_removed_action, get_rsvp_for_token
from ..calendars import calendar_response
from ..forms import FindRSVPsForm, ManageRSVPForm, RSVPForm
from ..models import RSVP, Action
from ..news_links import unsubscribe_token
from ..queries import latest_emergency_notice, public_changes


def _detail(request, action, form, status=200):
    # Once for the whole page: every part of it says the same about where the action stands.
    phase = action.phase
    return render(
        request,
        "actions/detail.html",
        {
            "action": action,
            "phase": phase,
            "Phase": Action.Phase,
            # Cancelled or over, an action has nothing to offer a calendar or an RSVP.
            "in_calendar": action.status != Action.Status.CANCELLED and phase != Action.Phase.ENDED,
            "open_for_rsvp": phase != Action.Phase.ENDED and action.is_open_for_rsvp,
            # The page's own address, also when it answers a refused RSVP.
            "page_url": request.build_absolute_uri(
                reverse("actions:detail", args=[action.public_id])
            ),
            "description": render_markdown(action.description),
            "form": form,
            "changes": public_changes(action),
            # Not cached anywhere (neither here nor in front of the app): a notice shows on the
            # next request.
            "emergency_notice": latest_emergency_notice(action),
        },
        status=status,
    )


def detail(request, public_id):
    try:
        action = get_public_action(public_id)
    except Http404:
        # Taken down by moderation: the page says so, without its place or its form; 410, so
        # that search engines drop it.
        removed = get_removed_action(public_id)
        return render(request, "actions/detail_removed.html", {"action": removed}, status=410)
    form = RSVPForm(initial={"language": request.LANGUAGE_CODE}, action=action)
    return _detail(request, action, form)


@require_POST
def rsvp(request, public_id):
    action = get_public_action(public_id)
    form = RSVPForm(request.POST, action=action)
    if not form.is_valid():
        return _detail(request, action, form, status=400)
    try:
        # After validation, as in the API (api.v1.actions.create_rsvp): only an RSVP that could
        # be stored counts towards the limit, so a typo does not spend the allowance of everyone
        # behind the same address (an event's mobile network).
        ratelimit.limit("rsvp", request, limit=settings.RSVP_RATE_LIMIT)
        receipt = services.create_rsvp(action, **form.cleaned_data)
    except DomainError as error:
        form.add_error(error.field, error.message)
        return _detail(request, action, form, status=error.status_code)
    # Post/redirect/get: the answer is a page that is safe to reload, bookmark and read in
    # another language. Without an email it is the supporter's own manage link (the redirect
    # carries the token only in its Location, an answer to a form that nothing stores or logs);
    # with one, the link went to the address and the page says so, the same for any address.
    if receipt.token is not None:
        return _see_other(reverse("actions:manage", args=[receipt.token]))
    sent = reverse("actions:rsvp_sent", args=[action.public_id])
    if receipt.status is not None:
        sent += "?" + urlencode({"status": receipt.status.value})
    return _see_other(sent)


def _see_other(url: str) -> HttpResponseRedirect:
    """A 303: the browser asks for `url` with GET, so reloading it sends nothing again."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def rsvp_sent(request, public_id):
    """After an RSVP with an email: the recap, and where the private link went. It knows
    nobody: anyone may open it, and it shows only the status named in its address."""
    action = get_public_action(public_id)
    status = request.GET.get("status")
    return render(
        request,
        "actions/rsvp_done.html",
        {"action": action, "status": status if status in RSVP.LIVE else None},
    )


# What a manage link's page may say it has just done (?done=...), after its own redirect.
MANAGE_NOTICES = frozenset({"saved", "cancelled", "rejoined", "there"})


def _manage_page(request, token, rsvp, form, *, error: str = "", status: int = 200):
    # The site's referrer policy (same-origin) stays: the token in this page's address goes to
    # no other origin, while a stricter policy would make the browser send its forms with
    # "Origin: null", which the CSRF check refuses.
    done = request.GET.get("done")
    return render(
        request,
        "actions/manage.html",
        {
            "rsvp": rsvp,
            "action": rsvp.action,
            "form": form,
            "done": done if done in MANAGE_NOTICES else None,
            "error": error,
            "meeting_point": rsvp.visible_meeting_point(),
            # The address of this page is the private link itself, whatever the language.
            "private_link": request.build_absolute_uri(request.path),
            "cancel_url": reverse("actions:rsvp_cancel", args=[token]),
            # "I was there" is the report-backs' (a self-reported count, once per RSVP).
            "i_was_there_url": reverse("reportbacks:i_was_there", args=[token]),
            # Reporting an incident is the safety app's, from this same link.
            "incident_url": reverse("safety:rsvp_incident", args=[token]),
            "erase_url": reverse("actions:rsvp_erase", args=[token]),
            "data_url": reverse("actions:rsvp_data", args=[token]),
            # The broadcasts' own page stops the news (for every RSVP of the address there).
            "unsubscribe_url": (
                reverse("broadcasts:unsubscribe", args=[unsubscribe_token(rsvp)])
                if rsvp.campaign_news and rsvp.contact_index
                else ""
            ),
        },
        status=status,
    )


def manage(request, token):
    rsvp = get_rsvp_for_token(token)
    here = reverse("actions:manage", args=[token])
    form = ManageRSVPForm(instance=rsvp)
    if request.method != "POST":
        return _manage_page(request, token, rsvp, form)
    if "cancel" in request.POST:
        # Cancelling always goes through its confirmation.
        return _see_other(reverse("actions:rsvp_cancel", args=[token]))
    if "rejoin" in request.POST:
        try:
            services.rejoin_rsvp(rsvp)
        except DomainError as error:
            return _manage_page(
                request, token, rsvp, form, error=str(error.message), status=error.status_code
            )
        return _see_other(f"{here}?done=rejoined")
    if not rsvp.is_live:
        return _see_other(here)
    form = ManageRSVPForm(request.POST, instance=rsvp)
    if not form.is_valid():
        return _manage_page(request, token, rsvp, form, status=400)
    services.update_rsvp(rsvp, **form.cleaned_data)
    return _see_other(f"{here}?done=saved")


def cancel_rsvp(request, token):
    """The confirmation a cancel needs: GET asks, POST cancels and goes back to the link."""
    rsvp = get_rsvp_for_token(token)
    here = reverse("actions:manage", args=[token])
    if not rsvp.is_live:
        return _see_other(here)
    if request.method == "POST":
        services.cancel_rsvp(rsvp)
        return _see_other(f"{here}?done=cancelled")
    return render(
        request,
        "actions/rsvp_cancel.html",
        {"rsvp": rsvp, "action": rsvp.action, "manage_url": here},
    )


def erase_rsvp(request, token):
    """ "Erase me now": GET asks, POST erases; the link is dead afterwards, so the answer is a
    page of its own that knows nothing about the RSVP."""
    rsvp = get_rsvp_for_token(token)
    if request.method == "POST":
        services.erase_rsvp(rsvp)
        return _see_other(reverse("actions:rsvp_erased"))
    return render(
        request,
        "actions/rsvp_erase.html",
        {
            "rsvp": rsvp,
            "action": rsvp.action,
            "manage_url": reverse("actions:manage", args=[token]),
            "data_url": reverse("actions:rsvp_data", args=[token]),
        },
    )


def rsvp_erased(request):
    return render(request, "actions/rsvp_erased.html")


def rsvp_data(request, token):
    """Everything kept about this RSVP, to read; the same as JSON from `rsvp_data_json`."""
    rsvp = get_rsvp_for_token(token)
    return render(
        request,
        "actions/rsvp_data.html",
        {
            "rsvp": rsvp,
            "action": rsvp.action,
            "data": services.rsvp_data(rsvp),
            "manage_url": reverse("actions:manage", args=[token]),
            "json_url": reverse("actions:rsvp_data_json", args=[token]),
        },
    )


def rsvp_data_json(request, token):
    rsvp = get_rsvp_for_token(token)
    response = JsonResponse(
        services.rsvp_data(rsvp).as_json(), json_dumps_params={"ensure_ascii": False, "indent": 2}
    )
    response["Content-Disposition"] = f'attachment; filename="rsvp-{rsvp.public_id}.json"'
    return response


def find_rsvps(request):
    """ "Find my RSVPs": the links go by mail to the address typed, and the page says the same
    whether or not it has any (and whether or not a mail went: the address's own limit is
    silent too)."""
    form = FindRSVPsForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                ratelimit.limit("rsvp-links", request, limit=services.LINKS_PER_CLIENT)
            except DomainError as error:
                form.add_error(None, error.message)
                status = error.status_code
            else:
                services.mail_rsvp_links(form.cleaned_data["email"], language=request.LANGUAGE_CODE)
                return _see_other(reverse("actions:find_rsvps") + "?sent=1")
        else:
            status = 400
    return render(
        request,
        "actions/rsvp_find.html",
        {"form": form, "sent": request.method == "GET" and "sent" in request.GET},
        status=status,
    )


def calendar(request, public_id):
    action = get_public_action(public_id)
    return calendar_response(
        request, [action], name=action.title, filename=f"action-{action.public_id}"
    )
