"""Set-based writes: many rows of one model updated in one `UPDATE … FROM unnest(…)` statement."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models


def update_rows(rows: Sequence[models.Model], fields: Sequence[str]) -> int:
    """Write `fields` of every row (same model, saved) in one statement, whatever the row count.

    Django's bulk_update builds a CASE per field with one branch per row; unnest keeps the statement the same
    size for 1 or 1,000 rows and lets PostgreSQL join the values to the rows by primary key."""
    if not rows:
        return 0
    meta = rows[0]._meta
    pk = meta.pk
    assert pk is not None and pk.column is not None
    columns: list[models.Field[Any, Any]] = []
    for name in fields:
        field = meta.get_field(name)
        assert isinstance(field, models.Field) and field.column is not None, f"{name} is not a column"
        columns.append(field)
    table = connection.ops.quote_name(meta.db_table)
    pk_column = connection.ops.quote_name(pk.column)
    names = [connection.ops.quote_name(str(field.column)) for field in columns]
    arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in [pk, *columns])
    assignments = ", ".join(f"{name} = v.{name}" for name in names)
    sql = (
        f"UPDATE {table} AS t SET {assignments} FROM unnest({arrays}) AS v({pk_column}, {', '.join(names)}) "
        f"WHERE t.{pk_column} = v.{pk_column}"
    )
    params = [[row.pk for row in rows]] + [
        [field.get_db_prep_save(getattr(row, field.attname), connection) for row in rows] for field in columns
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
