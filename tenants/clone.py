"""A fast copy of the tenant template schema: tables, rows, constraints, indexes, functions and triggers.

django-tenants' CloneSchema (pg-clone-schema) handles any schema but walks the catalog object by object
and takes seconds per tenant. The template only ever holds what Django migrations create, so this
builds the copy from a handful of catalog reads and runs it as one batch (tens of milliseconds).
Anything it does not know how to copy (views, enums, domains, sequences outside identity columns,
policies) makes it hand over to CloneSchema, so an unusual migration costs speed, never correctness.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction
from django_tenants.clone import CloneSchema
from psycopg import sql


@dataclass(frozen=True)
class TemplatePlan:
    """DDL read from the template with `search_path` set to it alone, so every name in it is unqualified."""

    tables: list[str]
    constraints: list[tuple[str, str, str, str]]  # (table, name, contype, definition)
    indexes: list[str]
    functions: list[str]
    triggers: list[str]
    identities: list[tuple[str, str, str]]  # (table, column, template sequence)


UNSUPPORTED_SQL = """
SELECT
  (SELECT count(*) FROM pg_class c WHERE c.relnamespace = n.oid AND c.relkind IN ('v', 'm', 'p', 'f'))
  + (SELECT count(*) FROM pg_type t WHERE t.typnamespace = n.oid AND t.typtype IN ('e', 'd', 'r', 'm')
       OR (t.typnamespace = n.oid AND t.typtype = 'c'
           AND NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = t.typrelid AND c.relkind <> 'c')))
  + (SELECT count(*) FROM pg_class s WHERE s.relnamespace = n.oid AND s.relkind = 'S'
       AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = s.oid AND d.deptype = 'i'))
  + (SELECT count(*) FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid WHERE c.relnamespace = n.oid)
  + (SELECT count(*) FROM pg_attrdef a JOIN pg_class c ON c.oid = a.adrelid
       WHERE c.relnamespace = n.oid AND pg_get_expr(a.adbin, a.adrelid) LIKE 'nextval(%%')
  + (SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
       WHERE c.relnamespace = n.oid AND a.attgenerated <> '')
  + (SELECT count(*) FROM pg_proc p WHERE p.pronamespace = n.oid
       AND (p.prokind <> 'f' OR p.proconfig IS NOT NULL))
FROM pg_namespace n WHERE n.nspname = %s
"""


def _read_plan(template: str) -> TemplatePlan | None:
    with connection.cursor() as cursor:
        cursor.execute(UNSUPPORTED_SQL, [template])
        if cursor.fetchone()[0]:
            return None
        cursor.execute("SELECT current_setting('search_path')")
        search_path = cursor.fetchone()[0]
        cursor.execute("SELECT set_config('search_path', %s, true)", [sql.Identifier(template).as_string(cursor.connection)])
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind = 'r' ORDER BY c.relname",
            [template],
        )
        tables = [row[0] for row in cursor.fetchall()]
        # Primary and unique keys first, foreign keys last: a foreign key needs the key it points at.
        cursor.execute(
            "SELECT c.relname, k.conname, k.contype, pg_get_constraintdef(k.oid) FROM pg_constraint k "
            "JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND k.contype IN ('p', 'u', 'c', 'x', 'f') "
            "ORDER BY (k.contype = 'f'), c.relname, k.conname",
            [template],
        )
        constraints = list(cursor.fetchall())
        cursor.execute(
            "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) ORDER BY c.relname",
            [template],
        )
        indexes = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT pg_get_functiondef(p.oid) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = %s ORDER BY p.proname",
            [template],
        )
        functions = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND NOT t.tgisinternal "
            "ORDER BY c.relname, t.tgname",
            [template],
        )
        triggers = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT c.relname, a.attname, pg_get_serial_sequence(format('%%I.%%I', n.nspname, c.relname), a.attname) "
            "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind = 'r' AND a.attidentity <> '' AND NOT a.attisdropped",
            [template],
        )
        identities = list(cursor.fetchall())
        cursor.execute("SELECT set_config('search_path', %s, true)", [search_path])
    functions = [_without_own_schema(definition, template) for definition in functions]
    # pg_get_indexdef and pg_get_triggerdef qualify the table whatever the search_path says.
    indexes = [_unqualified_table(definition, template) for definition in indexes]
    triggers = [_unqualified_table(definition, template) for definition in triggers]
    definitions = functions + triggers + indexes + [constraint[3] for constraint in constraints]
    if any(template in text for text in definitions):
        return None  # something names the template explicitly: only a full rewrite could copy it
    return TemplatePlan(tables, constraints, indexes, functions, triggers, identities)


def _unqualified_table(definition: str, template: str) -> str:
    for prefix in (f" ON {sql.Identifier(template).as_string(connection.connection)}.", f" ON {template}."):
        definition = definition.replace(prefix, " ON ", 1)
    return definition


def _without_own_schema(definition: str, template: str) -> str:
    # pg_get_functiondef always qualifies the function's own name; the rest of it is as written.
    head, _, rest = definition.partition("(")
    for prefix in (f"{sql.Identifier(template).as_string(connection.connection)}.", f"{template}."):
        head = head.replace(prefix, "")
    return f"{head}({rest}"


# The plan read per template state. Reading it walks pg_class, pg_attribute, pg_type and pg_proc by namespace,
# which no catalog index serves: every clone paid a scan of the whole catalog, so clones slowed down as schemas
# piled up (1.75 s at 20 tenants, 2.22 s at 300). The template only changes through migrations, so its plan is
# read once per (schema oid, applied migrations) and reused.
_plans: dict[tuple[str, int, str], TemplatePlan | None] = {}


def _template_state(template: str) -> tuple[str, int, str] | None:
    """The template's identity: its schema oid (a rebuilt template is a new schema) and its applied migrations."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT oid::bigint FROM pg_namespace WHERE nspname = %s", [template])
        row = cursor.fetchone()
        if row is None:
            return None
        table = f"{sql.Identifier(template).as_string(cursor.connection)}.django_migrations"
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [table])
        if not cursor.fetchone()[0]:
            return None
        cursor.execute(
            sql.SQL("SELECT md5(string_agg(app || '.' || name, ',' ORDER BY app, name)) FROM {}.django_migrations")
            .format(sql.Identifier(template))
            .as_string(cursor.connection)
        )
        migrations = cursor.fetchone()[0] or ""
    return (template, int(row[0]), migrations)


def template_plan(template: str) -> TemplatePlan | None:
    """The template's plan, from the per-process cache when the template has not changed since it was read."""
    # In a transaction of its own if need be: the plan is read with a transaction-local search_path, which
    # outside a transaction would not last to the next statement (and every definition would come out
    # qualified with the template's name, i.e. no plan).
    with transaction.atomic():
        state = _template_state(template)
        if state is None:
            return _read_plan(template)
        if state not in _plans:
            _plans[state] = _read_plan(template)
        return _plans[state]


def clone_schema_fast(template: str, target: str) -> None:
    """Create schema `target` as a copy of `template`, rows included, in one transaction (the caller's, if any)."""
    with transaction.atomic():
        plan = template_plan(template)
        if plan is None:
            CloneSchema().clone_schema(template, target, "DATA")
        else:
            _run_plan(plan, template, target)


def _run_plan(plan: TemplatePlan, template: str, target: str) -> None:
    src, dst = sql.Identifier(template), sql.Identifier(target)
    statements: list[sql.Composable] = [
        sql.SQL("CREATE SCHEMA {}").format(dst),
        sql.SQL("SELECT set_config('search_path', {}, true)").format(sql.Literal(dst.as_string(connection.connection))),
    ]
    keys: dict[str, list[sql.Composable]] = {table: [] for table in plan.tables}
    foreign_keys: dict[str, list[sql.Composable]] = {table: [] for table in plan.tables}
    for table, constraint, kind, definition in plan.constraints:
        clause = sql.SQL("CONSTRAINT {} ").format(sql.Identifier(constraint)) + sql.SQL(definition)  # type: ignore[arg-type]
        (foreign_keys if kind == "f" else keys)[table].append(clause)
    # Fewer, bigger statements: every DDL statement costs catalog work, so keys go inline and each
    # table's foreign keys go in one ALTER TABLE once every table exists. Names stay the template's,
    # since later migrations drop and alter constraints by name.
    for table in plan.tables:
        name = sql.Identifier(table)
        statements.append(
            sql.SQL(
                "CREATE TABLE {dst}.{t} (LIKE {src}.{t} INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING GENERATED "
                "INCLUDING COMMENTS INCLUDING STORAGE INCLUDING COMPRESSION INCLUDING STATISTICS"
            ).format(dst=dst, src=src, t=name)
            + sql.SQL("").join(sql.SQL(", ") + clause for clause in keys[table])
            + sql.SQL(")")
        )
        statements.append(
            sql.SQL("INSERT INTO {dst}.{t} OVERRIDING SYSTEM VALUE SELECT * FROM {src}.{t}").format(dst=dst, src=src, t=name)
        )
    for table, clauses in foreign_keys.items():
        if clauses:
            statements.append(
                sql.SQL("ALTER TABLE {dst}.{t} ").format(dst=dst, t=sql.Identifier(table))
                + sql.SQL(", ").join(sql.SQL("ADD ") + clause for clause in clauses)
            )
    statements += [sql.SQL(definition) for definition in plan.indexes]  # type: ignore[arg-type]
    statements += [sql.SQL(definition) for definition in plan.functions]  # type: ignore[arg-type]
    statements += [sql.SQL(definition) for definition in plan.triggers]  # type: ignore[arg-type]
    for table, column, sequence in plan.identities:
        # Carry the sequence position over, so copied rows and new rows never collide on id.
        statements.append(
            sql.SQL("SELECT setval(pg_get_serial_sequence({table}, {column}), last_value, is_called) FROM {sequence}").format(
                table=sql.Literal(
                    f"{dst.as_string(connection.connection)}.{sql.Identifier(table).as_string(connection.connection)}"
                ),
                column=sql.Literal(column),
                sequence=sql.SQL(sequence),  # type: ignore[arg-type]  # pg_get_serial_sequence output, already quoted
            )
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('search_path')")
        search_path = cursor.fetchone()[0]
        statements.append(sql.SQL("SELECT set_config('search_path', {}, true)").format(sql.Literal(search_path)))
        cursor.execute(sql.SQL(";\n").join(statements).as_string(cursor.connection))
