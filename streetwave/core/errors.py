"""Errors raised by services when a rule of the domain is broken.

The message is translated and safe to show to the person who caused it. Views turn a
DomainError into a form error or a 4xx answer; it never becomes a 500.
"""

from typing import TYPE_CHECKING

from django.db import InterfaceError, OperationalError
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    # Only the type stubs name the lazy string of gettext_lazy.
    from django.utils.functional import _StrPromise


class DomainError(Exception):
    default_message = _("This cannot be done.")
    status_code = 400

    def __init__(
        self, message: "str | _StrPromise | None" = None, *, field: str | None = None
    ) -> None:
        self.message: str | _StrPromise = message if message is not None else self.default_message
        self.field = field
        super().__init__(str(self.message))


class NotAllowed(DomainError):
    default_message = _("You are not allowed to do this.")
    status_code = 403


class Conflict(DomainError):
    default_message = _("This conflicts with the current state. Reload and try again.")
    status_code = 409


class RateLimited(DomainError):
    default_message = _("Too many requests from your network. Wait a minute, then try again.")
    status_code = 429
    retry_after = 60


# A database that does not answer (restarting, failing over, out of connections): not a bug but
# a 503 telling the client to come back after UNAVAILABLE_RETRY_AFTER seconds; nothing of the
# request was saved, since its transaction never committed (core.views.errors, the API's
# handler).
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
UNAVAILABLE_RETRY_AFTER = 10
