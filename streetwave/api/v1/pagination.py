"""Keyset (cursor) pagination shared by every list endpoint.

A page is the next `limit` rows after the last row of the previous page in a total order that
ends with `public_id`, so rows inserted or removed while a client pages through never cause a
duplicate or a gap, and the database never counts or skips rows (no OFFSET): every page costs
one query, however deep.

The cursor names its listing and the sort values of the last row, signed so that a client cannot
forge one (a forged or stale cursor is a 400, never a 500). It holds public ids, times and
distances only, never an internal key. The schema says so: each listing's cursor has a format of
its own (`actions-cursor`, ...), since no pattern can tell a signed value from a forged one, and
each list links its `next` to the cursor of the same list.
"""

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.core import signing
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from ninja import Field, Schema

from .errors import InvalidInput

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
_SALT = "streetwave.api.v1.cursor"


def cursor_field(listing: str):
    """The `cursor` parameter of one listing: only a `next` value of that listing is valid."""
    return Field(
        None,
        description=(
            "The `next` value of the previous page of this list, made and signed by the API; "
            "omit it (or leave it empty) for the first page."
        ),
        json_schema_extra={"format": f"{listing}-cursor"},
    )


class PageQuery(Schema):
    """A page of a listing: its query class gives `cursor` its own `cursor_field`."""

    cursor: str | None = None
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page.")


@dataclass(frozen=True)
class Keyset:
    """One listing's total order: `fields` must end with a unique field (public_id)."""

    name: str
    fields: tuple[str, ...]
    descending: bool = False

    def order_by(self) -> list[str]:
        return [f"-{field}" if self.descending else field for field in self.fields]

    def after(self, values: list) -> Q:
        """Rows strictly after `values` in this order: (a, b) > (x, y) is a > x or a = x, b > y."""
        lookup = "lt" if self.descending else "gt"
        return reduce(
            or_,
            (
                Q(**dict(zip(self.fields[:i], values[:i], strict=True)))
                & Q(**{f"{self.fields[i]}__{lookup}": values[i]})
                for i in range(len(self.fields))
            ),
        )


def cursor_after(keyset: Keyset, row: Model) -> str:
    """The cursor of the page that starts after `row`."""
    # Datetimes travel as ISO strings; Django parses them back in the lookups of `after`.
    values = [getattr(row, field) for field in keyset.fields]
    values = [value.isoformat() if hasattr(value, "isoformat") else value for value in values]
    return signing.dumps([keyset.name, values], salt=_SALT)


def _decode(keyset: Keyset, cursor: str) -> list:
    try:
        name, values = signing.loads(cursor, salt=_SALT)
    except (signing.BadSignature, TypeError, ValueError):
        name, values = None, None
    if name != keyset.name or not isinstance(values, list) or len(values) != len(keyset.fields):
        raise InvalidInput(
            {"cursor": [_("This cursor is not valid here. Start again from the first page.")]}
        )
    return values


def paginate(queryset: QuerySet, keyset: Keyset, page: PageQuery) -> tuple[list, str | None]:
    """One query: the rows of this page and the cursor of the next one (None on the last)."""
    if page.cursor:
        queryset = queryset.filter(keyset.after(_decode(keyset, page.cursor)))
    rows = list(queryset.order_by(*keyset.order_by())[: page.limit + 1])
    if len(rows) <= page.limit:
        return rows, None
    rows = rows[: page.limit]
    return rows, cursor_after(keyset, rows[-1])
