"""The row a link in a mail points to, or 404: the one lookup behind every token in a URL (RSVP
manage links, hub verification links, invitations, campaign-news and unsubscribe links)."""

from collections.abc import Callable
from typing import Any, TypeVar

from django.core import signing
from django.db.models import Model, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from .ids import hash_token

# Tokens are 43 characters and signed links an id and a signature; anything much longer is not
# one of ours and is neither hashed nor checked.
TOKEN_MAX_LENGTH = 100

M = TypeVar("M", bound=Model)


def get_for_link(
    rows: QuerySet[M],
    token: str,
    *,
    field: str,
    decode: Callable[[str], str] = hash_token,
    **filters: Any,
) -> M:
    """The row of `rows` whose `field` equals `decode(token)` and that matches `filters`.

    By default the token is hashed, as stored tokens are; pass a signer's `unsign` for a signed
    link. An empty, overlong, forged or unknown token, or a row the filters exclude (used,
    expired), is a plain 404: a wrong link says nothing about what exists."""
    if not token or len(token) > TOKEN_MAX_LENGTH:
        raise Http404
    try:
        key = decode(token)
    except signing.BadSignature as error:
        raise Http404 from error
    return get_object_or_404(rows, **{field: key}, **filters)
