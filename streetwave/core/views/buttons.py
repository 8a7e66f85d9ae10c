"""Organizer buttons: a POST that calls one service and says how it went on the next page."""

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.http import HttpRequest

from streetwave.core.errors import DomainError

_T = TypeVar("_T")


def press(
    request: HttpRequest, service: Callable[..., _T], *args: Any, success: str, **kwargs: Any
) -> _T | None:
    """Call `service(*args, actor=request.user, **kwargs)`; its refusal becomes an error message
    on the next page, its success `success`. Returns the service's result, or None."""
    try:
        result = service(*args, actor=request.user, **kwargs)
    except DomainError as error:
        messages.error(request, error.message)
        return None
    messages.success(request, success)
    return result
