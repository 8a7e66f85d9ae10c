"""The one public page of broadcasts: stopping a campaign's news from the link in its mail.

GET shows a button and changes nothing, because mail scanners and link previews open every link
in a mail; POST stops the news. POST needs no CSRF token: mail programs send it on their own for
one-click unsubscribing (RFC 8058), and all it can do is stop mail to the link's owner. Both are
idempotent, and the page never shows the address or the action.
"""

from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .. import services
from ..access import get_rsvp_for_unsubscribe


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
