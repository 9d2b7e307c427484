"""migrate_schemas that always migrates the tenant template too, and keeps the spare-schema pool current.

django-tenants skips the template schema; a stale template then silently produces new tenants whose
migrations are marked applied but whose tables are missing. `core` sits before `django_tenants` in
INSTALLED_APPS so this command (and `migrate`, which is the same command) win.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection
from django_tenants.management.commands.migrate_schemas import MigrateSchemasCommand
from django_tenants.migration_executors import get_executor
from django_tenants.utils import get_public_schema_name

from tenants.schemas import use_public_schema


class Command(MigrateSchemasCommand):
    def handle(self, *args: Any, **options: Any) -> None:
        super().handle(*args, **options)
        only_one_schema = bool(options.get("schema_name")) and options["schema_name"] != settings.TENANT_BASE_SCHEMA
        dry_run = bool(options.get("plan") or options.get("check_unapplied"))
        if self.sync_tenant and not only_one_schema and not dry_run:
            migrate_template(self.args, self.options)
            refresh_spare_pool(self.stdout.write if options.get("verbosity", 1) else None)
        if self.sync_public and not dry_run:
            from tenants.services import ensure_public_tenant

            ensure_public_tenant()


def migrate_template(args: Any, options: dict[str, Any]) -> None:
    """Bring the template up to date; rebuild it from scratch if tables went missing behind Django's back."""
    from tenants.template import drop_spares, reset_template_check, template_missing_tables

    template = settings.TENANT_BASE_SCHEMA
    if template == get_public_schema_name():
        return
    use_public_schema()
    # Rebuild only on a plain `migrate`; `migrate <app> <target>` moves the template to that target.
    missing_tables = [] if options.get("app_label") else template_missing_tables()
    with connection.cursor() as cursor:
        if missing_tables:
            # The template holds no customer data, so rebuilding it is always safe; migrations alone
            # cannot restore a table whose migration is recorded as applied.
            cursor.execute(f'DROP SCHEMA "{template}" CASCADE')
        cursor.execute(f'CREATE SCHEMA IF NOT EXISTS "{template}"')
    if missing_tables:
        drop_spares(stale_only=False)
    executor = get_executor(codename=options.get("executor", "standard"))(args, options)
    executor.run_migrations(tenants=[template])
    use_public_schema()
    reset_template_check()


def refresh_spare_pool(write: Any = None) -> None:
    """Drop spares cloned from the old template now; ask a worker to clone new ones in the background.

    Cloning is left to the worker so that `migrate` (and a fresh machine's first start) stays quick;
    until the pool refills, provisioning clones on the spot.
    """
    from tenants.template import drop_spares

    dropped = drop_spares(stale_only=True)
    if write and dropped:
        write(f"Dropped {dropped} spare tenant schema(s) cloned from the old template.")
    if settings.TENANT_SPARE_SCHEMAS <= 0:
        return
    from tenants.tasks import refill_schema_pool

    try:
        refill_schema_pool.delay()
    except Exception as error:  # noqa: BLE001 - a broker outage must not fail a deploy's migrate
        if write:
            write(f"Could not ask a worker to refill the spare schema pool ({type(error).__name__}).")
