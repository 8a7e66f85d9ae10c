"""Organizer form pages: GET shows the form; POST validates it, calls one service, and either
redirects with a message or shows the form again with what went wrong. The button beside it,
a POST without a form, is `buttons.press`."""

from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.http import HttpRequest, HttpResponse

from streetwave.core.errors import DomainError

F = TypeVar("F", bound=forms.BaseForm)
T = TypeVar("T")


def fill_in(
    request: HttpRequest,
    make_form: Callable[..., F],
    *,
    show: Callable[[F, int], HttpResponse],
    save: Callable[[F], T],
    done: Callable[[T], HttpResponse],
) -> HttpResponse:
    """The form page's whole round trip.

    `make_form()` builds the empty form, `make_form(request.POST)` the filled one; `show(form,
    status)` renders the page around it; `save(form)` calls the service with the cleaned data
    (and `actor=request.user`); `done(result)` says how it went (`django.contrib.messages`)
    and returns the redirect. A refusal of the service (a DomainError) becomes an error on the
    form, on its field when the form has that field, and the page comes back with the refusal's
    status (429 for a rate limit, 409 for a conflict, 400 for most); a form that does not
    validate comes back with 400. Nothing typed is lost."""
    if request.method != "POST":
        return show(make_form(), 200)
    form = make_form(request.POST)
    if not form.is_valid():
        return show(form, 400)
    try:
        result = save(form)
    except DomainError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return show(form, error.status_code)
    return done(result)
