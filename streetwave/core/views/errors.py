"""The answer to a request that failed on our side.

A database that does not answer (restarting, failing over, its connections exhausted) is not a
bug: the request gets a 503 with `Retry-After`, in the reader's language, so people, browsers
and API clients wait and try again instead of reporting an error. Nothing of the request was
saved: its transaction never committed. Every other failure is Django's 500 page.
"""

import sys

from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token
from django.views.defaults import server_error as django_server_error

from streetwave.core.errors import DATABASE_UNAVAILABLE, UNAVAILABLE_RETRY_AFTER


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    failure = sys.exc_info()[1]
    if isinstance(failure, DATABASE_UNAVAILABLE):
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = str(UNAVAILABLE_RETRY_AFTER)
        return response
    return django_server_error(request)
