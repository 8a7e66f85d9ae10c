"""URLs under /api/v1/ (outside i18n_patterns: the API has no language prefix).

django-ninja answers a method it does not route (405) with a plain-text body, and its root view
and Django's resolver answer unknown addresses (404) with HTML. The API promises one JSON error
envelope for every error, so each ninja view is wrapped, and everything else under /api/v1/
ends in a JSON 404.
"""

from functools import wraps

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, include, path, re_path

from .api import api
from .errors import error_response


def _enveloped(view):
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return error_response(404)
        if isinstance(response, HttpResponseNotAllowed):
            not_allowed = error_response(405)
            not_allowed["Allow"] = response["Allow"]
            return not_allowed
        return response

    return wrapped


def not_found(request: HttpRequest) -> HttpResponse:
    return error_response(404)


_patterns, _app_name, _namespace = api.urls

urlpatterns = [
    path(
        "",
        include(
            (
                [
                    URLPattern(p.pattern, _enveloped(p.callback), p.default_args, p.name)
                    for p in _patterns
                    if isinstance(p, URLPattern)
                ],
                _app_name,
            ),
            namespace=_namespace,
        ),
    ),
    re_path(r"", not_found),
]
