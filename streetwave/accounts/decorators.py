"""The gate in front of every organizer page."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect

from .second_factor import is_session_verified, second_factor_redirect_url


def organizer_required(view):
    """An organizer page opens only for a signed-in account that has a second factor (an
    authenticator app or a security key/passkey) and whose session was verified with it.

    Anonymous: to the sign-in page. Signed in without a factor: to setting one up, then back.
    Signed in with a factor but not with it in this session: to re-authenticate with it.
    What the account may then see is decided by hubs.permissions.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_session_verified(request):
            return redirect(second_factor_redirect_url(request, request.get_full_path()))
        return view(request, *args, **kwargs)

    return wrapped
