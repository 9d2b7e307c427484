"""Tenant lifecycle: provisioning by cloning the migrated template schema, and deletion."""

from __future__ import annotations

import logging
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage, storages
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django_tenants.utils import schema_context, schema_exists

from tenants.models import Domain, Tenant
from tenants.schemas import use_public_schema
from tenants.template import (
    StaleTemplateError,
    claim_spare_schema,
    clone_template,
    ensure_template_is_current,
    reset_template_check,
    template_missing_migrations,
)

__all__ = [
    "StaleTemplateError",
    "delete_tenant",
    "provision_tenant",
    "reset_template_check",
    "template_missing_migrations",
    "validate_slug",
]

logger = logging.getLogger(__name__)

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
        raise ValidationError({"slug": ValidationError("Choose a subdomain.", code="required")})
    if len(slug) < 3 or len(slug) > 30:
        raise ValidationError({"slug": ValidationError("A subdomain has 3 to 30 characters.", code="length")})
    if not SLUG_RE.match(slug) or "--" in slug:
        raise ValidationError(
            {
                "slug": ValidationError(
                    "Use lowercase letters, digits and single hyphens; start with a letter, end with a letter or digit.",
                    code="invalid",
                )
            }
        )
    if slug in RESERVED_SLUGS:
        raise ValidationError({"slug": ValidationError(f"“{slug}” is reserved.", code="reserved")})
    if Tenant.objects.filter(slug=slug).exists() or Domain.objects.filter(domain=tenant_host(slug)).exists():
        raise ValidationError({"slug": ValidationError(f"“{slug}” is already taken.", code="taken")})
    return slug


def _validate_request(req: ProvisionRequest) -> ProvisionRequest:
    """Check every field and report every problem at once, so a signup form can show them together."""
    from core.modules import registry  # platform machinery, not a domain app
    from tenants.accounts.models import User

    errors: dict[str, list[str] | list[ValidationError]] = {}
    try:
        slug = validate_slug(req.slug)
    except ValidationError as error:
        errors.update(error.error_dict)  # keeps the codes (required, length, invalid, reserved, taken)
        slug = req.slug
    name = (req.name or "").strip()
    if not name:
        errors["name"] = ["Enter the company name."]
    elif len(name) > Tenant._meta.get_field("name").max_length:
        errors["name"] = ["The company name is too long."]
    email = (req.owner_email or "").strip().lower()
    try:
        validate_email(email)
        if len(email) > Tenant._meta.get_field("owner_email").max_length:
            raise ValidationError("too long")
    except ValidationError:
        errors["owner_email"] = ["Enter a valid email address."]
    try:
        validate_password(req.password or "", user=User(email=email))
    except ValidationError as error:
        errors["password"] = error.error_list
    unknown = sorted(set(req.modules) - set(registry.codes()))
    if unknown:
        errors["modules"] = [f"Unknown module codes: {', '.join(unknown)}."]
    if req.language not in LANGUAGES:
        errors["language"] = [f"Language must be one of {', '.join(sorted(LANGUAGES))}."]
    if errors:
        raise ValidationError(errors)
    return ProvisionRequest(name, slug, email, req.password, tuple(sorted(set(req.modules))), req.language)


def provision_tenant(
    name: str,
    slug: str,
    owner_email: str,
    password: str,
    modules: Iterable[str] = (),
    language: str = "zh-hans",
) -> Tenant:
    """Create a working tenant: row, host, schema copied from the template, owner, module trials.

    Everything happens in one transaction (PostgreSQL DDL is transactional), so a failure leaves nothing:
    no tenant row, no domain, no schema. Raises ValidationError listing every bad field, or
    StaleTemplateError when `migrate` has not brought the template up to date.
    """
    req = _validate_request(ProvisionRequest(name, slug, owner_email, password, tuple(modules), language))
    use_public_schema()
    ensure_template_is_current()
    from billing.services import start_local_trial
    from tenants.accounts.models import User
    from tenants.accounts.roles import Role

    schema_name = schema_name_for(req.slug)
    with transaction.atomic():
        try:
            # The unique slug decides a race between two signups for the same subdomain.
            with transaction.atomic():
                tenant = Tenant.objects.create(
                    schema_name=schema_name,
                    slug=req.slug,
                    name=req.name,
                    language=req.language,
                    owner_email=req.owner_email,
                )
        except IntegrityError as error:
            raise ValidationError({"slug": ValidationError(f"“{req.slug}” is already taken.", code="taken")}) from error
        Domain.objects.create(domain=tenant_host(req.slug), tenant=tenant, is_primary=True)
        if schema_exists(schema_name):
            # An orphaned schema (a tenant row deleted by hand) squats on the name: never adopt its data.
            raise ValidationError({"slug": ValidationError(f"“{req.slug}” is already taken.", code="taken")})
        # A spare (or a fresh clone) carries the template's django_migrations, content types and
        # permissions, which ensure_template_is_current() proved complete: no migration runs here.
        if not claim_spare_schema(schema_name):
            clone_template(schema_name)
        with schema_context(schema_name):
            User.objects.create_user(
                email=req.owner_email, password=req.password, role=Role.OWNER.value, language=req.language, is_staff=True
            )
        start_local_trial(tenant, req.modules)
        if settings.TENANT_SPARE_SCHEMAS > 0:
            from core.tasks import enqueue_on_commit
            from tenants.tasks import refill_schema_pool

            enqueue_on_commit(refill_schema_pool)
    return tenant


def delete_tenant(tenant: Tenant) -> None:
    """Drop the tenant's schema, its rows (domains, entitlements), cached entitlements and files. Irreversible."""
    from billing.entitlements import invalidate

    prefix, schema, owner = tenant_file_prefix(tenant), tenant.schema_name, f"tenant{tenant.pk}"
    # django-tenants refuses to delete a tenant from another tenant's schema.
    use_public_schema()
    with transaction.atomic():
        # PostgreSQL will not drop a table whose rows still owe a deferred foreign-key check (a tenant provisioned
        # with its rule packs and deleted in one transaction): run those checks now.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        tenant.delete(force_drop=True)
    # Outside the transaction: files cannot be rolled back, so they go only once the rows are gone.
    invalidate(tenant)
    delete_files_under(prefix)
    clear_tenant_cache(schema)
    delete_tenant_models(owner)


def clear_tenant_cache(schema: str) -> int:
    """Delete every key of the tenant's schema from the default cache: a new tenant that takes the same slug
    (and so the same schema name) must not read the old one's cached values. Returns the keys removed."""
    cache = caches["default"]
    prefix = f"{schema}:"
    raw: Any = getattr(cache, "_cache", None)
    if hasattr(raw, "get_client"):  # Redis: SCAN for the prefix, never KEYS on a shared server
        client = raw.get_client(write=True)
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        if keys:
            client.delete(*keys)
        return len(keys)
    if isinstance(raw, dict):  # the per-process memory cache
        keys = [key for key in list(raw) if str(key).startswith(prefix)]
        for key in keys:
            raw.pop(key, None)
            getattr(cache, "_expire_info", {}).pop(key, None)
        return len(keys)
    return 0


def delete_tenant_models(owner: str) -> None:
    """The tenant's MLflow models, runs and artifacts (ml_models/tracking.py names them after its immutable id).

    Logged, not raised, when the tracking server cannot be reached: the tenant is already gone, and the
    models can no longer be served to anyone (no tenant will have this id again).
    """
    from ml_models.tracking import delete_owner_models

    try:
        counts = delete_owner_models(owner)
    except Exception:
        logger.exception("could not delete the MLflow models of %s", owner)
    else:
        logger.info("deleted the MLflow data of %s: %s", owner, counts)


def tenant_file_prefix(tenant: Tenant) -> str:
    """Every file a tenant owns sits under this prefix, on disk and in S3."""
    return f"tenants/{tenant.schema_name}/"


def delete_files_under(prefix: str) -> None:
    storage = storages["default"]
    if isinstance(storage, FileSystemStorage):
        # Local disk: remove the folder itself, not just the files, so no empty tree is left behind.
        shutil.rmtree(storage.path(prefix), ignore_errors=True)
        return

    def walk(path: str) -> None:
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
