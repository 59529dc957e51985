"""Rows as the database may hold them from before a check constraint existed."""

from django.db import connection
from django.db.models import QuerySet


def update_past_checks(queryset: QuerySet, *, constraints: list[str], **values: object) -> None:
    """Updates the rows with values the named check constraints refuse. SQLite skips its checks
    for this one statement; PostgreSQL drops the constraints inside the test's transaction,
    whose rollback brings them back."""
    model = queryset.model
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA ignore_check_constraints = ON")
            try:
                queryset.update(**values)
            finally:
                cursor.execute("PRAGMA ignore_check_constraints = OFF")
        return
    assert connection.in_atomic_block, "only inside a test's transaction"
    with connection.schema_editor() as editor:
        # PostgreSQL alters no table with checks still pending in the transaction: run them
        # now, then defer them again as every deferrable constraint of ours is by default.
        editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for constraint in model._meta.constraints:
            if constraint.name in constraints:
                editor.remove_constraint(model, constraint)
        editor.execute("SET CONSTRAINTS ALL DEFERRED")
    queryset.update(**values)
