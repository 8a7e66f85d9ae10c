from django.db import connection


def lock(queryset):
    """The rows of `queryset`, locked until the transaction ends.

    SQLite serializes writers already (BEGIN IMMEDIATE); PostgreSQL needs the row lock.
    """
    if connection.features.has_select_for_update:
        return queryset.select_for_update(of=("self",))
    return queryset
