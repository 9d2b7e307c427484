"""migrate_schemas that visits only stale schemas, always migrates the tenant template too, and keeps the
spare-schema pool current.

A plain `migrate` reads every tenant's migration table in a few queries (tenants/schema_state.py) and runs
the migrate command only in schemas that miss a migration, in parallel when TENANT_MIGRATE_PROCESSES > 1.
A schema that fails is reported with its position and the rest are still migrated; a rerun converges.
`--all-schemas` (or any targeted option: a schema, an app, --fake, --plan) takes django-tenants' own path.

django-tenants skips the template schema; a stale template then silently produces new tenants whose
migrations are marked applied but whose tables are missing. `core` sits before `django_tenants` in
INSTALLED_APPS so this command (and `migrate`, which is the same command) win.
"""

from __future__ import annotations

import functools
import multiprocessing
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection
from django_tenants.management.commands import SyncCommon
from django_tenants.management.commands.migrate_schemas import MigrateSchemasCommand
from django_tenants.migration_executors import get_executor
from django_tenants.migration_executors.base import run_migrations
from django_tenants.utils import get_public_schema_name, get_tenant_model

from tenants.schemas import use_public_schema


class Command(MigrateSchemasCommand):
    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--all-schemas",
            action="store_true",
            help="Run the migrate command in every schema, even those whose migration table is complete.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if _targeted(options):
            super().handle(*args, **options)
        else:
            SyncCommon.handle(self, *args, **options)
            self._migrate_stale_schemas()
        only_one_schema = bool(options.get("schema_name")) and options["schema_name"] != settings.TENANT_BASE_SCHEMA
        dry_run = bool(options.get("plan") or options.get("check_unapplied"))
        if self.sync_tenant and not only_one_schema and not dry_run:
            migrate_template(self.args, self.options)
            refresh_spare_pool(self.stdout.write if options.get("verbosity", 1) else None)
        if self.sync_public and not dry_run:
            from tenants.services import ensure_public_tenant

            ensure_public_tenant()

    def _migrate_stale_schemas(self) -> None:
        """Public first, then the tenants whose migration table misses something; a failure does not stop the rest."""
        from tenants.schema_state import expected_migrations, stale_schemas

        expected = expected_migrations()
        public = get_public_schema_name()
        if self.sync_public and stale_schemas([public], expected):
            get_executor(codename=self.executor or "standard")(self.args, self.options).run_migrations(tenants=[public])
        if not self.sync_tenant:
            return
        use_public_schema()
        tenants = list(get_tenant_model().objects.exclude(schema_name=public).values_list("schema_name", flat=True))
        stale = stale_schemas(tenants, expected)
        verbose = int(self.options.get("verbosity", 1)) >= 1
        if verbose:
            self.stdout.write(f"Tenant schemas: {len(tenants)}, to migrate: {len(stale)}.")
        failures = migrate_schemas_in_parallel(self.args, self.options, self.executor or "standard", stale)
        use_public_schema()
        if failures:
            for position, schema, error in failures:
                self.stderr.write(f"Tenant {position} of {len(stale)} ({schema}) failed: {error}")
            raise CommandError(
                f"{len(failures)} of {len(stale)} tenant schema(s) failed to migrate; the others are migrated. "
                "Fix the cause and run migrate again: it only visits schemas that are still behind."
            )


def _targeted(options: dict[str, Any]) -> bool:
    """A migrate aimed at one schema, app or target, or a dry run: django-tenants' own path, unchanged."""
    keys = ("app_label", "migration_name", "schema_name", "fake", "fake_initial", "plan", "check_unapplied", "prune")
    return bool(options.get("all_schemas")) or any(options.get(key) for key in keys)


def migrate_schemas_in_parallel(
    args: Any, options: dict[str, Any], codename: str, schemas: list[str]
) -> list[tuple[int, str, str]]:
    """Migrate each schema on its own; return (1-based position, schema, error) for those that failed.

    With more than one schema and TENANT_MIGRATE_PROCESSES > 1, forked workers (each with one database
    connection) share the list, so at most that many connections are open at once.
    """
    processes = min(int(getattr(settings, "TENANT_MIGRATE_PROCESSES", 1)), len(schemas))
    if connection.in_atomic_block:
        processes = 1  # closing the connection to fork would abort the caller's transaction
    jobs = list(enumerate(schemas, start=1))
    if processes <= 1:
        results = [_migrate_one(args, options, codename, job) for job in jobs]
    else:
        connection.close()  # a forked child must not share the parent's socket
        context = multiprocessing.get_context("fork")
        with context.Pool(processes=processes) as pool:
            results = pool.map(functools.partial(_migrate_one, args, options, codename), jobs, chunksize=1)
    return [result for result in results if result is not None]


def _migrate_one(args: Any, options: dict[str, Any], codename: str, job: tuple[int, str]) -> tuple[int, str, str] | None:
    position, schema = job
    try:
        run_migrations(args, options, codename, schema, allow_atomic=True)
    except Exception as error:  # noqa: BLE001 - one broken tenant must not stop the deploy for the others
        use_public_schema()
        return position, schema, f"{type(error).__name__}: {error}"
    return None


def migrate_template(args: Any, options: dict[str, Any]) -> None:
    """Bring the template up to date; rebuild it from scratch if tables went missing behind Django's back."""
    from tenants.template import drop_spares, reset_template_check, template_missing_tables

    template = settings.TENANT_BASE_SCHEMA
    if template == get_public_schema_name():
        return
    use_public_schema()
    # Rebuild only on a plain `migrate`; `migrate <app> <target>` moves the template to that target.
    missing_tables = [] if options.get("app_label") else template_missing_tables()
    if not missing_tables and not _targeted(options):
        from tenants.schema_state import stale_schemas

        if not stale_schemas([template]):
            reset_template_check()
            return
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
