"""Tenant lifecycle: provisioning by cloning the migrated template schema, and deletion."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django_tenants.clone import CloneSchema
from django_tenants.utils import schema_context, schema_exists

from tenants.models import Domain, Tenant

SLUG_RE = re.compile(r"^[a-z][a-z0-9-]{1,28}[a-z0-9]$")
RESERVED_SLUGS = frozenset(
    {
        "www",
        "admin",
        "api",
        "public",
        "app",
        "static",
        "media",
        "mail",
        "smtp",
        "ftp",
        "help",
        "support",
        "status",
        "billing",
        "signup",
        "login",
        "logout",
        "graphql",
        "webhooks",
        "stripe",
        "docs",
        "blog",
        "dashboard",
        "root",
        "system",
        "test",
        "dev",
        "staging",
        "prod",
        "cdn",
        "assets",
        "template",
        "information-schema",
        "pg-catalog",
        "tenant-template",
    }
)
LANGUAGES = {"zh-hans", "en"}


class StaleTemplateError(RuntimeError):
    """The template schema lacks migrations that exist on disk; cloning it would create a broken tenant."""


@dataclass(frozen=True)
class ProvisionRequest:
    name: str
    slug: str
    owner_email: str
    password: str
    modules: tuple[str, ...]
    language: str


def schema_name_for(slug: str) -> str:
    # Slugs are DNS labels (letters, digits, hyphens); schemas take underscores instead.
    return "t_" + slug.replace("-", "_")


def tenant_host(slug: str) -> str:
    return f"{slug}.{settings.BASE_DOMAIN}"


def validate_slug(slug: str) -> str:
    """Return the normalised slug or raise a ValidationError that says what is wrong with it."""
    slug = (slug or "").strip().lower()
    if not slug:
        raise ValidationError({"slug": "Choose a subdomain."}, code="required")
    if len(slug) < 3 or len(slug) > 30:
        raise ValidationError({"slug": "A subdomain has 3 to 30 characters."}, code="length")
    if not SLUG_RE.match(slug) or "--" in slug:
        raise ValidationError(
            {"slug": "Use lowercase letters, digits and single hyphens; start with a letter, end with a letter or digit."},
            code="invalid",
        )
    if slug in RESERVED_SLUGS:
        raise ValidationError({"slug": f"“{slug}” is reserved."}, code="reserved")
    if Tenant.objects.filter(slug=slug).exists() or Domain.objects.filter(domain=tenant_host(slug)).exists():
        raise ValidationError({"slug": f"“{slug}” is already taken."}, code="taken")
    return slug


def slug_is_available(slug: str) -> tuple[bool, str]:
    """For the live availability check on the signup form: (available, reason)."""
    try:
        validate_slug(slug)
    except ValidationError as error:
        return False, " ".join(error.message_dict.get("slug", error.messages))
    return True, ""


def _validate_request(req: ProvisionRequest) -> ProvisionRequest:
    from core.modules import registry  # platform machinery, not a domain app

    errors: dict[str, list[str]] = {}
    try:
        slug = validate_slug(req.slug)
    except ValidationError as error:
        errors.update(error.message_dict)
        slug = req.slug
    if not req.name.strip():
        errors["name"] = ["Enter the company name."]
    email = req.owner_email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        errors["owner_email"] = ["Enter a valid email address."]
    try:
        from tenants.accounts.models import User

        validate_password(req.password, user=User(email=email))
    except ValidationError as error:
        errors["password"] = list(error.messages)
    unknown = sorted(set(req.modules) - set(registry.codes()))
    if unknown:
        errors["modules"] = [f"Unknown module codes: {', '.join(unknown)}."]
    if req.language not in LANGUAGES:
        errors["language"] = [f"Language must be one of {', '.join(sorted(LANGUAGES))}."]
    if errors:
        raise ValidationError(errors)
    return ProvisionRequest(req.name.strip(), slug, email, req.password, tuple(sorted(set(req.modules))), req.language)


def template_missing_migrations() -> list[str]:
    """Migrations on disk for tenant apps that the template schema has not applied."""
    template = settings.TENANT_BASE_SCHEMA
    if not schema_exists(template):
        return ["<template schema does not exist>"]
    loader = MigrationLoader(None, ignore_no_migrations=True)
    tenant_labels = {app.rsplit(".", 1)[-1] for app in settings.TENANT_APPS}
    tenant_labels |= {cfg.label for cfg in _tenant_app_configs()}
    on_disk = {key for key in loader.disk_migrations if key[0] in tenant_labels}
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT app, name FROM "{template}".django_migrations')
        applied = set(cursor.fetchall())
    return sorted(f"{app}.{name}" for app, name in on_disk - applied)


def _tenant_app_configs() -> list:
    from django.apps import apps

    return [cfg for cfg in apps.get_app_configs() if cfg.name in settings.TENANT_APPS]


_template_checked = False


def ensure_template_is_current() -> None:
    """Refuse to clone a stale template; checked once per process (migrations only change on deploy)."""
    global _template_checked
    if _template_checked:
        return
    missing = template_missing_migrations()
    if missing:
        raise StaleTemplateError(
            f"Tenant template schema {settings.TENANT_BASE_SCHEMA!r} is stale; run `manage.py migrate`. Missing: "
            + ", ".join(missing[:10])
        )
    _template_checked = True


def reset_template_check() -> None:
    global _template_checked
    _template_checked = False


def provision_tenant(
    name: str,
    slug: str,
    owner_email: str,
    password: str,
    modules: Iterable[str] = (),
    language: str = "zh-hans",
) -> Tenant:
    """Create a working tenant: row, host, schema cloned from the template, owner, module trials.

    Everything happens in one transaction (PostgreSQL DDL is transactional), so a failure leaves nothing.
    """
    req = _validate_request(ProvisionRequest(name, slug, owner_email, password, tuple(modules), language))
    ensure_template_is_current()
    from billing.services import start_local_trial
    from tenants.accounts.models import User
    from tenants.accounts.roles import Role

    with transaction.atomic():
        tenant = Tenant.objects.create(
            schema_name=schema_name_for(req.slug),
            slug=req.slug,
            name=req.name,
            language=req.language,
            owner_email=req.owner_email,
        )
        Domain.objects.create(domain=tenant_host(req.slug), tenant=tenant, is_primary=True)
        # A DATA clone copies django_migrations, contenttypes and permissions from the template, which
        # ensure_template_is_current() proved up to date, so no migration command needs to run.
        CloneSchema().clone_schema(settings.TENANT_BASE_SCHEMA, tenant.schema_name, "DATA")
        with schema_context(tenant.schema_name):
            User.objects.create_user(
                email=req.owner_email, password=req.password, role=Role.OWNER.value, language=req.language, is_staff=True
            )
        start_local_trial(tenant, req.modules)
    return tenant


def delete_tenant(tenant: Tenant) -> None:
    """Drop the tenant's schema, rows and files. Irreversible."""
    from billing.entitlements import invalidate

    prefix = tenant_file_prefix(tenant)
    with transaction.atomic():
        tenant.delete(force_drop=True)
    invalidate(tenant)
    delete_files_under(prefix)


def tenant_file_prefix(tenant: Tenant) -> str:
    """Every file a tenant owns sits under this prefix, on disk and in S3."""
    return f"tenants/{tenant.schema_name}/"


def delete_files_under(prefix: str) -> None:
    storage = storages["default"]

    def walk(path: str) -> None:
        if not storage.exists(path.rstrip("/")) and not path.endswith("/"):
            return
        try:
            dirs, files = storage.listdir(path)
        except (FileNotFoundError, NotADirectoryError):
            return
        for filename in files:
            storage.delete(f"{path}{filename}")
        for dirname in dirs:
            walk(f"{path}{dirname}/")

    walk(prefix)


def ensure_public_tenant() -> Tenant:
    """The public schema's tenant row and its host BASE_DOMAIN (landing, signup, webhooks, health)."""
    public, _ = Tenant.objects.get_or_create(
        schema_name="public", defaults={"slug": "public", "name": "JXC Cloud", "owner_email": "ops@jxc.local"}
    )
    Domain.objects.update_or_create(domain=settings.BASE_DOMAIN, defaults={"tenant": public, "is_primary": True})
    return public
