"""Which schemas `migrate` must visit: one query per few hundred schemas instead of a migrate run per tenant.

A `migrate` with nothing to apply used to cost 0.85 s per tenant, almost all of it django-tenants running the
whole migrate command (loader, plan, post_migrate signals) once per schema. A schema is up to date when its
`django_migrations` table records every migration on disk, so reading those tables together answers the
question for all tenants at once; only the stale schemas are then migrated.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection
from django.db.migrations.loader import MigrationLoader

# Schemas per query: the UNION ALL over this many small tables stays well under PostgreSQL's limits and
# answers in milliseconds.
SCHEMAS_PER_QUERY = 250


def expected_migrations() -> list[str]:
    """Every migration the code defines, as "app.name", after squashed replacements are applied."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return sorted(f"{app}.{name}" for app, name in loader.graph.nodes)


def _schemas_with_migration_table(schemas: Sequence[str]) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_schema FROM information_schema.tables "
            "WHERE table_name = 'django_migrations' AND table_schema = ANY(%s)",
            [list(schemas)],
        )
        return {row[0] for row in cursor.fetchall()}


def _quote(schema: str) -> str:
    return '"' + schema.replace('"', '""') + '"'


def _applied_counts(schemas: Sequence[str], expected: list[str]) -> dict[str, int]:
    """schema → how many of `expected` its django_migrations records (one query for all of them)."""
    union = " UNION ALL ".join(
        f"SELECT %s AS schema_name, app || '.' || name AS migration FROM {_quote(schema)}.django_migrations" for schema in schemas
    )
    sql = (
        f"SELECT schema_name, count(DISTINCT migration) FROM ({union}) AS applied WHERE migration = ANY(%s) GROUP BY schema_name"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*schemas, expected])
        return {schema: int(count) for schema, count in cursor.fetchall()}


def stale_schemas(schemas: Iterable[str], expected: list[str] | None = None) -> list[str]:
    """The schemas (in the given order) that lack at least one migration on disk, or have no migration table.

    Extra applied rows (a migration since removed from the code) do not make a schema stale: `migrate` could
    not change them either, so a rerun converges.
    """
    ordered = list(dict.fromkeys(schemas))
    if not ordered:
        return []
    wanted = expected if expected is not None else expected_migrations()
    present = _schemas_with_migration_table(ordered)
    counts: dict[str, int] = {}
    readable = [schema for schema in ordered if schema in present]
    for start in range(0, len(readable), SCHEMAS_PER_QUERY):
        counts.update(_applied_counts(readable[start : start + SCHEMAS_PER_QUERY], wanted))
    return [schema for schema in ordered if counts.get(schema, 0) < len(wanted)]
