"""Tenants and their hosts (public schema)."""

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
