"""`migrate` visits only schemas that miss a migration, keeps going past a broken tenant, and converges on rerun."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenants.models import Tenant
from tenants.schema_state import expected_migrations, stale_schemas
from tenants.services import delete_tenant
from tests.conftest import TenantInfo, _provision

# sessions.0001_initial is a leaf migration of a tenant app that creates one table: dropping that table and
# its migration row makes a schema "behind" in a way migrate can repair.
BEHIND_APP, BEHIND_NAME, BEHIND_TABLE = "sessions", "0001_initial", "django_session"


def put_behind(schema: str, *, keep_table: bool = False) -> None:
    with connection.cursor() as cursor:
        if not keep_table:
            cursor.execute(f'DROP TABLE "{schema}".{BEHIND_TABLE}')
        cursor.execute(f'DELETE FROM "{schema}".django_migrations WHERE app = %s AND name = %s', [BEHIND_APP, BEHIND_NAME])


def has_table(schema: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [f'"{schema}".{BEHIND_TABLE}'])
        return cursor.fetchone()[0] is not None


@pytest.fixture
def three_tenants(tenants_setup, committed) -> Iterator[list[TenantInfo]]:
    infos = [_provision(f"m{uuid.uuid4().hex[:10]}") for _ in range(3)]
    try:
        yield infos
    finally:
        connection.set_schema_to_public()
        for info in infos:
            delete_tenant(Tenant.objects.get(pk=info.tenant.pk))


def run_migrate() -> str:
    out = io.StringIO()
    call_command("migrate", interactive=False, verbosity=1, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_up_to_date_schemas_are_read_in_one_query_and_skipped(three_tenants):
    # given freshly provisioned tenants (cloned from the migrated template)
    schemas = [info.schema for info in three_tenants]
    expected = expected_migrations()
    # when
    with CaptureQueriesContext(connection) as queries:
        stale = stale_schemas(schemas, expected)
    # then: nothing to do, found with one query for the tables and one for all the migration rows
    assert stale == []
    assert len(queries) == 2
    assert "to migrate: 0." in run_migrate()


def test_only_the_stale_tenant_is_migrated_and_then_nothing_is_stale(three_tenants):
    # given one tenant behind by a migration (its table and its row gone)
    behind = three_tenants[1].schema
    put_behind(behind)
    assert stale_schemas([info.schema for info in three_tenants]) == [behind]
    # when
    output = run_migrate()
    # then it alone was migrated, and a rerun finds nothing to do
    assert "to migrate: 1." in output
    assert has_table(behind)
    assert stale_schemas([info.schema for info in three_tenants]) == []
    assert "to migrate: 0." in run_migrate()


def test_a_failing_tenant_is_reported_the_others_are_migrated_and_a_rerun_converges(three_tenants):
    # given two tenants behind, the first of which cannot be migrated (its table is still there, so the
    # CREATE TABLE of the "missing" migration fails)
    broken, fine = three_tenants[0].schema, three_tenants[2].schema
    put_behind(broken, keep_table=True)
    put_behind(fine)
    # when / then: the failure names the broken tenant and its position, and the other one is migrated
    with pytest.raises(CommandError, match="1 of 2 tenant schema"):
        run_migrate()
    connection.set_schema_to_public()
    assert has_table(fine)
    assert stale_schemas([broken, fine]) == [broken]
    # when the cause is fixed, a rerun migrates only the broken tenant and converges
    with connection.cursor() as cursor:
        cursor.execute(f'DROP TABLE "{broken}".{BEHIND_TABLE}')
    assert "to migrate: 1." in run_migrate()
    assert stale_schemas([info.schema for info in three_tenants]) == []
