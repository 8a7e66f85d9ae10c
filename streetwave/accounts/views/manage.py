from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from streetwave.core.i18n import localize_digits

from ..access import get_sessions_for
from ..decorators import organizer_required
from ..queries import account_data
from ..services import SESSION_ROW_KEY, end_sessions_elsewhere


@organizer_required
@require_http_methods(["GET", "POST"])
def sessions(request):
    """One's signed-in sessions, and "sign out everywhere else"."""
    if request.method == "POST":
        ended = end_sessions_elsewhere(request)
        messages.success(
            request,
            ngettext(
                "%(count)s other session was signed out.",
                "%(count)s other sessions were signed out.",
                ended,
            )
            % {"count": localize_digits(ended)},
        )
        return redirect("accounts:sessions")
    return render(
        request,
        "account/sessions.html",
        {
            "sessions": get_sessions_for(request.user),
            "current_session_id": request.session.get(SESSION_ROW_KEY),
        },
    )


@organizer_required
def data(request):
    """Everything kept about one's own account, as a JSON file."""
    response = JsonResponse(
        account_data(request.user), json_dumps_params={"ensure_ascii": False, "indent": 2}
    )
    response["Content-Disposition"] = 'attachment; filename="streetwave-account.json"'
    response["Cache-Control"] = "no-store"
    return response
