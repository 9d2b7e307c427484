"""Typed access to the schema state django-tenants keeps on the database connection.

django-tenants swaps in its own connection wrapper, which adds `schema_name` and `set_schema_to_public()`; the
Django stubs only know `BaseDatabaseWrapper`. Reading them through here keeps callers typed.
"""

from __future__ import annotations

from typing import Protocol, cast

from django.db import connection


class TenantConnection(Protocol):
    schema_name: str

    def set_schema_to_public(self) -> None: ...


def tenant_connection() -> TenantConnection:
    return cast(TenantConnection, connection)


def current_schema() -> str:
    """The schema the default connection is set to (the tenant's, or "public")."""
    return tenant_connection().schema_name


def use_public_schema() -> None:
    tenant_connection().set_schema_to_public()
