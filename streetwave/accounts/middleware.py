from django.http import HttpRequest

from .services import enforce_session_limits


class SessionLimitsMiddleware:
    """Organizer sessions end after ORGANIZER_IDLE_TIMEOUT without a request, after
    ORGANIZER_SESSION_MAX_AGE in all (HIGH_RISK_SESSION_AGE for a member of a hub in a
    high-risk country), or when ended from another session; see
    services.enforce_session_limits. Anonymous requests (supporters) pass untouched."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if request.user.is_authenticated:
            enforce_session_limits(request)
        return self.get_response(request)
