"""The gate in front of every organizer page."""

from functools import wraps

from django.contrib.auth.decorators import login_required


def organizer_required(view):
    """An organizer page opens only for a signed-in account.

    Every view under /manage/ uses this decorator; what the account may then see is decided
    by hubs.permissions.
    """

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        return view(request, *args, **kwargs)

    return wrapped
