"""migrate_schemas that always migrates the tenant template too.

django-tenants skips the template schema; a stale template then silently produces new tenants whose
migrations are marked applied but whose tables are missing. `core` sits before `django_tenants` in
INSTALLED_APPS so this command (and `migrate`, below) win.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection
from django_tenants.management.commands.migrate_schemas import MigrateSchemasCommand
from django_tenants.migration_executors import get_executor
from django_tenants.utils import get_public_schema_name


class Command(MigrateSchemasCommand):
    def handle(self, *args: Any, **options: Any) -> None:
        super().handle(*args, **options)
        only_one_schema = bool(options.get("schema_name")) and options["schema_name"] != settings.TENANT_BASE_SCHEMA
        if self.sync_tenant and not only_one_schema:
            migrate_template(self.args, self.options)
        if self.sync_public:
            from tenants.services import ensure_public_tenant

            ensure_public_tenant()


def migrate_template(args: Any, options: dict[str, Any]) -> None:
    template = settings.TENANT_BASE_SCHEMA
    if template == get_public_schema_name():
        return
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA IF NOT EXISTS "{template}"')
    executor = get_executor(codename=options.get("executor", "standard"))(args, options)
    executor.run_migrations(tenants=[template])
