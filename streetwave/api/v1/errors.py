"""The one error envelope of the API.

Every error, whoever raises it (our endpoints, the services, django-ninja's own validation,
Django's URL resolver), reaches the client as

    {"error": {"code": "invalid", "message": "...", "fields": {"email": ["..."]}}}

with a message in the language of the request. Clients branch on `code`, show `message`, and
put each entry of `fields` next to the input it names.
"""

from django.http import JsonResponse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from ninja import Field, Schema

# Field name -> messages, translated lazily or already.
FieldErrors = dict[str, list[str | Promise]]

# A stable code per HTTP status: clients branch on it instead of parsing messages.
CODES = {
    400: "invalid",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    429: "too_many_requests",
    500: "server_error",
    503: "unavailable",
}

MESSAGES = {
    400: _("The request is not valid."),
    403: _("You are not allowed to do this."),
    404: _("Nothing was found at this address."),
    405: _("This address does not accept this method."),
    409: _("This conflicts with another request. Wait a moment, then try again."),
    429: _("Too many requests. Wait a moment, then try again."),
    500: _("Something went wrong on our side. Try again later."),
    503: _(
        "The service cannot reach its database right now; nothing was saved. Try again in a moment."
    ),
}


class ErrorDetail(Schema):
    code: str = Field(json_schema_extra={"enum": list(CODES.values())})
    message: str
    fields: dict[str, list[str]]


class ErrorOut(Schema):
    error: ErrorDetail


def errors(*statuses: int) -> dict[int, type[ErrorOut]]:
    """The error answers an operation declares beside its success (`response={200: X,
    **errors(400, 404)}`): every status it can give is in the schema, with the envelope. Each
    operation may also answer 503 while the database is out of reach (api.on_database_unavailable),
    so that one is declared on all of them."""
    return dict.fromkeys((*statuses, 503), ErrorOut)


class InvalidInput(Exception):
    """Bad input on one or more named fields (query parameters, body fields, headers)."""

    def __init__(self, fields: FieldErrors):
        self.fields = fields
        super().__init__(fields)


def error_body(status: int, message=None, fields: FieldErrors | None = None) -> dict:
    status_code = status if status in CODES else 500 if status >= 500 else 400
    return {
        "error": {
            "code": CODES[status_code],
            "message": str(message if message is not None else MESSAGES[status_code]),
            "fields": {
                name: [str(text) for text in texts] for name, texts in (fields or {}).items()
            },
        }
    }


def error_response(status: int, message=None, fields: FieldErrors | None = None):
    """The envelope as a plain Django response, for errors raised outside ninja's operations."""
    return JsonResponse(error_body(status, message, fields), status=status)
