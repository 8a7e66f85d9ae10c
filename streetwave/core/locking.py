from typing import TypeVar

from django.db import connection
from django.db.models import Model, QuerySet

_M = TypeVar("_M", bound=Model)


def lock(queryset: QuerySet[_M]) -> QuerySet[_M]:
    """The rows of `queryset`, locked until the transaction ends.

    SQLite serializes writers already (BEGIN IMMEDIATE); PostgreSQL needs the row lock.
    """
    if connection.features.has_select_for_update:
        return queryset.select_for_update(of=("self",))
    return queryset
