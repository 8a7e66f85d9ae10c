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


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    rsvp = get_rsvp_for_unsubscribe(token)
    campaign = rsvp.action.campaign
    if request.method == "POST":
        services.withdraw_campaign_news(rsvp)
        return render(request, "broadcasts/unsubscribed.html", {"campaign": campaign})
    return render(request, "broadcasts/unsubscribe.html", {"campaign": campaign})


@never_cache
@require_http_methods(["GET", "POST"])
def confirm_news(request, token):
    rsvp = get_rsvp_for_news_confirmation(token)
    campaign = rsvp.action.campaign
    if request.method == "POST":
        services.confirm_campaign_news(rsvp)
        return render(request, "broadcasts/news_confirmed.html", {"campaign": campaign})
    return render(request, "broadcasts/confirm_news.html", {"campaign": campaign})
