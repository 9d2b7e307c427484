"""One tenant exported and restored into a fresh database (the README's cell move: its schema with pg_dump, its
rows in the public tables with COPY): every table's checksum is equal on both sides."""

from __future__ import annotations

import subprocess
from decimal import Decimal

import psycopg
import pytest
from django_tenants.utils import schema_context

from core.inventory.factories import issue, make_item, make_stock_location, receive
from tests.reliability.support import PG_BIN, copy_database, database_url_of_tests, start_embedded, stop_embedded

pytestmark = pytest.mark.slow
DIGEST = "count(*), coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), '')"
# The tenant's rows outside its schema, each selected by the tenant's id.
PUBLIC_ROWS = {
    "tenants_tenant": "id = %(tenant)s",
    "tenants_domain": "tenant_id = %(tenant)s",
    "billing_moduleentitlement": "tenant_id = %(tenant)s",
    "billing_billingaccount": "tenant_id = %(tenant)s",
}


def _checksums(url: str, schema: str, tenant_id: int) -> dict[str, tuple[int, str]]:
    """(row count, md5 of every row's text in a stable order) per table of the schema and per public row set."""
    sums: dict[str, tuple[int, str]] = {}
    with psycopg.connect(url) as db:
        # Row text depends on session settings; both sides render the same way.
        db.execute("SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET extra_float_digits = 3; SET IntervalStyle = 'postgres'")
        tables = [r[0] for r in db.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY 1", (schema,))]
        for table in tables:
            sums[f"{schema}.{table}"] = db.execute(f'SELECT {DIGEST} FROM "{schema}"."{table}" t').fetchone()
        for table, condition in PUBLIC_ROWS.items():
            where = condition % {"tenant": int(tenant_id)}
            sums[f"public.{table}"] = db.execute(f"SELECT {DIGEST} FROM public.{table} t WHERE {where}").fetchone()
    return sums


def test_a_tenant_exported_and_restored_into_a_fresh_database_has_equal_table_checksums(committed_tenant, tmp_path):
    schema, tenant_id = committed_tenant.schema, committed_tenant.tenant.pk
    with schema_context(schema):
        shelf = make_stock_location()
        for n in range(5):
            item = make_item(lot_tracked=False)
            receive(item, shelf, 10 + n, unit_cost=Decimal("3.5"))
            issue(item, shelf, 4)
    source = database_url_of_tests()
    pgdata = tmp_path / "pg"
    target = start_embedded(pgdata, "jxc_restored")
    try:
        # The fresh database gets the public tables' structure, then the tenant's schema, then its public rows.
        structure = tmp_path / "public.sql"
        subprocess.run(
            [str(PG_BIN / "pg_dump"), "--schema-only", "--schema", "public", "--no-owner", "-f", str(structure), "-d", source],
            check=True,
            capture_output=True,
            timeout=300,
        )
        subprocess.run([str(PG_BIN / "psql"), "-q", "-X", "-d", target, "-f", str(structure)], capture_output=True, timeout=300)
        messages = copy_database(source, target, [schema], tmp_path / "tenant")
        with psycopg.connect(source) as src, psycopg.connect(target) as dst:
            for table, condition in PUBLIC_ROWS.items():
                where = condition % {"tenant": int(tenant_id)}
                with src.cursor().copy(f"COPY (SELECT * FROM public.{table} WHERE {where}) TO STDOUT") as out:
                    rows = b"".join(bytes(chunk) for chunk in out)
                with dst.cursor().copy(f"COPY public.{table} FROM STDIN") as into:
                    into.write(rows)
        before, after = _checksums(source, schema, tenant_id), _checksums(target, schema, tenant_id)
    finally:
        stop_embedded(pgdata)
    differing = sorted(name for name in before if before[name] != after.get(name))
    rows = sum(count for count, _ in before.values())
    print(f"\nexport/restore of {schema}: {len(before)} tables, {rows} rows, {len(differing)} checksums differ")
    assert len(before) > 50, messages[:2000]
    assert differing == [], {name: (before[name], after.get(name)) for name in differing}
    assert before["public.tenants_tenant"][0] == 1
