"""Tenants, their hosts and the pool of spare schemas (public schema)."""

from __future__ import annotations

from django.db import models
from django_tenants.models import DomainMixin, TenantMixin


class Tenant(TenantMixin):
    """A customer company; its data lives in the PostgreSQL schema `schema_name`."""

    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    language = models.CharField(max_length=10, default="zh-hans")
    time_zone = models.CharField(max_length=64, default="Asia/Shanghai")
    owner_email = models.EmailField()
    allow_negative_stock = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    # Schemas are created by cloning the template in tenants.services, never on save().
    auto_create_schema = False
    auto_drop_schema = True

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return f"{self.name} ({self.slug})"


class Domain(DomainMixin):
    """A host name that routes to a tenant: `<slug>.<BASE_DOMAIN>`."""


class SpareSchema(models.Model):
    """A schema already cloned from the template, waiting to become a new tenant's schema.

    Cloning takes seconds (pg-clone-schema walks the catalog object by object); claiming a spare and
    renaming it takes milliseconds, so signup does not wait for the clone. `template_version` says which
    template migrations the spare was cloned at: a spare from an older template is never handed out.
    """

    schema_name = models.CharField(max_length=63, unique=True)
    template_version = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.schema_name
