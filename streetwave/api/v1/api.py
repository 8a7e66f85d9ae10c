"""The API instance of /api/v1/ and the handlers that turn every exception into the one error
envelope (see errors.py).

No authentication: v1 serves what is public, and takes RSVPs, which need no account. Without
cookie-based auth, django-ninja skips CSRF checks, which is right for an anonymous JSON POST.
"""

import logging

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI, Swagger
from ninja.errors import HttpError, ValidationError
from ninja.operation import Operation

from streetwave.core.errors import DATABASE_UNAVAILABLE, UNAVAILABLE_RETRY_AFTER, DomainError

from . import actions, campaigns, hubs, reportbacks
from .errors import MESSAGES, InvalidInput, error_body

logger = logging.getLogger(__name__)


class StreetwaveAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        # The view's name alone (list_actions, create_rsvp): generated clients get readable
        # method names, and moving a module does not change the published schema.
        return operation.view_func.__name__


api = StreetwaveAPI(
    title="Streetwave API",
    version="1",
    description=(
        "Public campaigns, actions and hubs, and RSVPs without an account. Events are public; "
        "participants are private. Texts and error messages follow the Accept-Language header. "
        "Lists are paged by an opaque `next` cursor. Every error has the shape "
        '`{"error": {"code", "message", "fields"}}`.'
    ),
    urls_namespace="api-v1",
    # Swagger UI from the files django-ninja ships (served by us, no CDN), and without its
    # validator badge, which would load an image from validator.swagger.io.
    docs=Swagger(settings={"validatorUrl": None}),
)
api.add_router("/campaigns", campaigns.router)
api.add_router("/actions", actions.router)
api.add_router("/hubs", hubs.router)
api.add_router("/report-backs", reportbacks.router)


def _respond(request: HttpRequest, status: int, message=None, fields=None) -> HttpResponse:
    return api.create_response(request, error_body(status, message, fields), status=status)


# Pydantic's own messages are English only; these are strings Django already translates.
_PYDANTIC_MESSAGES = {
    "missing": _("This field is required."),
    "int_parsing": _("Enter a whole number."),
    "int_type": _("Enter a whole number."),
    "int_from_float": _("Enter a whole number."),
    "float_parsing": _("Enter a number."),
    "float_type": _("Enter a number."),
    "less_than_equal": _("Ensure this value is less than or equal to %(limit_value)s."),
    "greater_than_equal": _("Ensure this value is greater than or equal to %(limit_value)s."),
}


def _field_message(error: dict) -> str:
    context = error.get("ctx") or {}
    limit = context.get("le", context.get("ge"))
    message = _PYDANTIC_MESSAGES.get(error["type"], _("Enter a valid value."))
    return str(message) % {"limit_value": limit} if limit is not None else str(message)


def _field_name(location: tuple) -> str:
    # ("query", "limit") -> "limit"; ("body", "payload", "email") -> "email" (the body is one
    # parameter named payload); a body that is missing or not an object -> "body".
    parts = [str(part) for part in location[2 if location[0] == "body" else 1 :]]
    return ".".join(parts) or str(location[0])


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    # django-ninja answers 422; the API answers bad input with 400 everywhere.
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        fields.setdefault(_field_name(tuple(error["loc"])), []).append(_field_message(error))
    return _respond(request, 400, fields=fields)


@api.exception_handler(InvalidInput)
def on_invalid_input(request: HttpRequest, exc: InvalidInput) -> HttpResponse:
    return _respond(request, 400, fields=exc.fields)


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    fields = {exc.field: [exc.message]} if exc.field else None
    response = _respond(request, exc.status_code, exc.message, fields)
    retry_after = getattr(exc, "retry_after", None)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    # The same answer whether the thing does not exist or is not public.
    return _respond(request, 404)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # django-ninja's own messages (an unreadable body, throttling) are English only.
    return _respond(request, exc.status_code, MESSAGES.get(exc.status_code))


def on_database_unavailable(request: HttpRequest, exc: Exception) -> HttpResponse:
    response = _respond(request, 503)
    response["Retry-After"] = str(UNAVAILABLE_RETRY_AFTER)
    return response


for _unavailable in DATABASE_UNAVAILABLE:
    api.exception_handler(_unavailable)(on_database_unavailable)


@api.exception_handler(Exception)
def on_unexpected_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    # The traceback goes to the log; the client learns nothing about the inside.
    logger.error("Unhandled error in %s %s", request.method, request.path, exc_info=exc)
    return _respond(request, 500)
