"""Test support for comparing pages: two answers that should be the same page differ in their
CSRF tokens, which are masked afresh for every response."""

import re

_CSRF_TOKEN = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*"')


def without_csrf_tokens(body: bytes) -> bytes:
    """`body` with the value of every CSRF token blanked."""
    return _CSRF_TOKEN.sub(rb'\1"', body)
