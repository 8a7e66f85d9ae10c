"""The public pages of broadcasts: starting and stopping a campaign's news from the links in
mails. Neither shows the address or the action.

GET shows a button and changes nothing, because mail scanners and link previews open every link
in a mail; POST acts. Both are idempotent. Stopping needs no CSRF token: mail programs send that
POST on their own for one-click unsubscribing (RFC 8058), and all it can do is stop mail to the
link's owner. Starting is an ordinary form.
"""

from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from streetwave.actions import services

from ..access import get_rsvp_for_news_confirmation, get_rsvp_for_unsubscribe


def _link_page(request, rsvp, service, *, ask: str, done: str):
    """GET shows the page `ask` with its button; POST calls `service(rsvp)` and shows `done`."""
    context = {"campaign": rsvp.action.campaign}
    if request.method == "POST":
        service(rsvp)
        return render(request, done, context)
    return render(request, ask, context)


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    return _link_page(
        request,
        get_rsvp_for_unsubscribe(token),
        services.withdraw_campaign_news,
        ask="broadcasts/unsubscribe.html",
        done="broadcasts/unsubscribed.html",
    )


@never_cache
@require_http_methods(["GET", "POST"])
def confirm_news(request, token):
    return _link_page(
        request,
        get_rsvp_for_news_confirmation(token),
        services.confirm_campaign_news,
        ask="broadcasts/confirm_news.html",
        done="broadcasts/news_confirmed.html",
    )
