"""The tenant template schema and the pool of spare schemas cloned from it.

Every tenant starts as a copy of `settings.TENANT_BASE_SCHEMA`, a schema that `migrate` keeps fully
migrated. Even a lean copy (tenants.clone) creates a few hundred tables, keys and indexes and takes
around a second, so a few spare copies are cloned ahead of time; provisioning renames one
(milliseconds) and falls back to cloning when the pool is empty.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.models import Count
from django.db.models.functions import TruncMinute
from django.utils import timezone
from django_tenants.utils import schema_exists

from tenants.clone import clone_schema_fast
from tenants.models import SpareSchema, Tenant
from tenants.schemas import use_public_schema

# pg-clone-schema (the fallback clone) drops and recreates its helper functions in `public` on every
# call; two clones at once would fight over them, so every clone holds this transaction-level lock.
CLONE_LOCK_KEY = 0x4A58_4301


class StaleTemplateError(RuntimeError):
    """The template schema lacks migrations or tables; cloning it would create a broken tenant."""


def _tenant_app_labels() -> set[str]:
    return {cfg.label for cfg in apps.get_app_configs() if cfg.name in settings.TENANT_APPS}


def template_missing_migrations() -> list[str]:
    """Migrations on disk for tenant apps that the template schema has not applied (`app.name`)."""
    template = settings.TENANT_BASE_SCHEMA
    if not schema_exists(template):
        return [f"<schema {template} does not exist>"]
    loader = MigrationLoader(None, ignore_no_migrations=True)
    labels = _tenant_app_labels()
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT app, name FROM "{template}".django_migrations')
        applied = set(cursor.fetchall())
    missing = []
    for key in loader.graph.nodes:
        if key[0] not in labels or key in applied:
            continue
        # A squashed migration counts as applied when everything it replaces is.
        replaces = loader.graph.nodes[key].replaces
        if replaces and all(tuple(old) in applied for old in replaces):
            continue
        missing.append(f"{key[0]}.{key[1]}")
    return sorted(missing)


def template_missing_tables() -> list[str]:
    """Tables that the template's applied migrations created but that are gone (dropped by hand).

    Migrations cannot repair this (they count as applied), so `migrate` rebuilds such a template.
    """
    template = settings.TENANT_BASE_SCHEMA
    if not schema_exists(template):
        return []
    labels = _tenant_app_labels()
    loader = MigrationLoader(None, ignore_no_migrations=True)
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT app, name FROM "{template}".django_migrations')
        applied = [key for key in cursor.fetchall() if key in loader.graph.nodes]
    if not applied:
        return []
    # The state after the migrations the template records as applied: their tables must be there.
    state = loader.project_state(nodes=applied, at_end=True)
    expected = set()
    for (app_label, _model), model_state in state.models.items():
        options = model_state.options
        if app_label not in labels or options.get("proxy") or not options.get("managed", True):
            continue
        swappable = options.get("swappable")
        if swappable and getattr(settings, swappable, None) != f"{app_label}.{model_state.name}":
            continue  # e.g. auth.User, replaced by accounts.User
        expected.add(options.get("db_table") or f"{app_label}_{model_state.name_lower}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", [template])
        present = {row[0] for row in cursor.fetchall()}
    return sorted(expected - present)


def template_problems() -> list[str]:
    return template_missing_migrations() + [f"table {name}" for name in template_missing_tables()]


_template_checked = False


def ensure_template_is_current() -> None:
    """Refuse to clone a stale template; checked once per process (migrations only change on deploy)."""
    global _template_checked
    if _template_checked:
        return
    problems = template_problems()
    if problems:
        raise StaleTemplateError(
            f"Tenant template schema {settings.TENANT_BASE_SCHEMA!r} is stale; run `manage.py migrate`. Missing: "
            + ", ".join(problems[:10])
            + (f" and {len(problems) - 10} more" if len(problems) > 10 else "")
        )
    _template_checked = True


def reset_template_check() -> None:
    global _template_checked
    _template_checked = False


def template_version() -> str:
    """A fingerprint of the template's applied migrations; spares cloned at another version are stale."""
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT app, name FROM "{settings.TENANT_BASE_SCHEMA}".django_migrations ORDER BY app, name')
        rows = cursor.fetchall()
    return hashlib.sha256("\n".join(f"{app}.{name}" for app, name in rows).encode()).hexdigest()


def clone_template(schema_name: str) -> None:
    """Copy the template, rows included (django_migrations, content types, permissions), into `schema_name`.

    Runs inside the caller's transaction: PostgreSQL DDL is transactional, so a rollback leaves nothing.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CLONE_LOCK_KEY])
    clone_schema_fast(settings.TENANT_BASE_SCHEMA, schema_name)


def claim_spare_schema(schema_name: str) -> bool:
    """Rename a current spare to `schema_name` inside the caller's transaction; False if none is left.

    SKIP LOCKED lets two signups at once take different spares instead of queueing on the same row.
    """
    spare = (
        SpareSchema.objects.select_for_update(skip_locked=True).filter(template_version=template_version()).order_by("pk").first()
    )
    if spare is None:
        return False
    with connection.cursor() as cursor:
        cursor.execute(f'ALTER SCHEMA "{spare.schema_name}" RENAME TO "{schema_name}"')
    spare.delete()
    return True


def drop_spares(stale_only: bool = True) -> int:
    """Drop spare schemas (only those cloned from an older template, unless stale_only is False)."""
    dropped = 0
    with transaction.atomic():
        spares = SpareSchema.objects.select_for_update(skip_locked=True).order_by("pk")
        if stale_only:
            spares = spares.exclude(template_version=template_version())
        for spare in spares:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP SCHEMA IF EXISTS "{spare.schema_name}" CASCADE')
            spare.delete()
            dropped += 1
    return dropped


def pool_target(now: dt.datetime | None = None) -> int:
    """How many spares should wait: the configured floor, raised to the busiest minute of recent signups.

    A burst is served from the pool when the pool holds a burst's worth of spares before it starts, so the
    pool grows to the most signups seen in one minute over `TENANT_SPARE_RATE_WINDOW_HOURS` (plus the floor,
    for the refill's own lag), capped by `TENANT_SPARE_SCHEMAS_MAX`. Quiet days shrink it back to the floor."""
    floor = settings.TENANT_SPARE_SCHEMAS
    if floor <= 0:
        return 0
    now = now or timezone.now()
    since = now - dt.timedelta(hours=settings.TENANT_SPARE_RATE_WINDOW_HOURS)
    busiest = (
        Tenant.objects.filter(created_at__gte=since, created_at__lte=now)
        .annotate(minute=TruncMinute("created_at"))
        .values("minute")
        .annotate(signups=Count("pk"))
        .order_by("-signups")
        .values_list("signups", flat=True)
        .first()
    )
    return min(settings.TENANT_SPARE_SCHEMAS_MAX, floor + (busiest or 0))


def fill_pool(size: int | None = None) -> int:
    """Drop stale spares, then clone until `size` (default: `pool_target()`) current spares wait; returns how
    many were cloned."""
    size = pool_target() if size is None else size
    use_public_schema()
    ensure_template_is_current()
    drop_spares(stale_only=True)
    cloned = 0
    while True:
        with transaction.atomic():
            # Count under the clone lock, so two workers filling at once never overshoot.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CLONE_LOCK_KEY])
            version = template_version()
            if SpareSchema.objects.filter(template_version=version).count() >= size:
                return cloned
            name = f"spare_{uuid.uuid4().hex[:16]}"
            clone_template(name)
            SpareSchema.objects.create(schema_name=name, template_version=version)
        cloned += 1
