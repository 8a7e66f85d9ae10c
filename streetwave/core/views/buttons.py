"""Organizer buttons: a POST that calls one service and says how it went on the next page."""

from django.contrib import messages

from streetwave.core.errors import DomainError


def press(request, service, *args, success: str, **kwargs):
    """Call `service(*args, actor=request.user, **kwargs)`; its refusal becomes an error message
    on the next page, its success `success`. Returns the service's result, or None."""
    try:
        result = service(*args, actor=request.user, **kwargs)
    except DomainError as error:
        messages.error(request, error.message)
        return None
    messages.success(request, success)
    return result
