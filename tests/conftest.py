"""Shared fixtures: a real PostgreSQL test database with real schemas, two committed tenants.

pytest-django creates `test_<db>` and runs our `migrate` (public + template). Two tenants, alpha and
beta, are provisioned once per session and committed. Ordinary tests use the `db` fixture and run in a
transaction that is rolled back. Tests that need committed data seen by other processes (Celery worker,
parallel posting) use `committed_tenant`, which provisions a fresh tenant and deletes it afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from tenants.models import Tenant

OWNER_PASSWORD = "Correct-horse-42!"


@dataclass
class TenantInfo:
    tenant: Tenant
    owner_email: str
    password: str = OWNER_PASSWORD

    @property
    def host(self) -> str:
        return self.tenant.domains.get(is_primary=True).domain

    @property
    def schema(self) -> str:
        return self.tenant.schema_name

    def client(self, login: bool = True) -> Client:
        """A Django test client on this tenant's host, signed in as the owner by default."""
        client = Client(HTTP_HOST=self.host)
        if login:
            response = client.post("/login/", {"username": self.owner_email, "password": self.password})
            assert response.status_code == 302, "owner could not sign in"
        return client


def _provision(slug: str, modules: tuple[str, ...] = ()) -> TenantInfo:
    from tenants.services import provision_tenant

    email = f"owner@{slug}.example.com"
    tenant = provision_tenant(f"{slug.title()} Co", slug, email, OWNER_PASSWORD, modules, "zh-hans")
    return TenantInfo(tenant, email)


@pytest.fixture(scope="session")
def tenants_setup(django_db_setup, django_db_blocker) -> Iterator[dict[str, TenantInfo]]:
    with django_db_blocker.unblock():
        created = {"alpha": _provision("alpha", ("food",)), "beta": _provision("beta", ("retail",))}
    yield created


@pytest.fixture
def alpha(tenants_setup, db) -> TenantInfo:
    return tenants_setup["alpha"]


@pytest.fixture
def beta(tenants_setup, db) -> TenantInfo:
    return tenants_setup["beta"]


@pytest.fixture
def in_alpha(alpha: TenantInfo) -> Iterator[TenantInfo]:
    """Run the test body inside alpha's schema."""
    with schema_context(alpha.schema):
        yield alpha


@pytest.fixture(autouse=True)
def _reset_schema() -> Iterator[None]:
    yield
    connection.set_schema_to_public()


@pytest.fixture
def committed(django_db_blocker) -> Iterator[None]:
    """Database access outside the per-test transaction: writes are committed and visible to other
    processes. Tests using it must clean up after themselves (use `committed_tenant`)."""
    with django_db_blocker.unblock():
        yield


@pytest.fixture
def committed_tenant(tenants_setup, committed) -> Iterator[TenantInfo]:
    """A brand-new committed tenant (all modules enabled), deleted after the test."""
    from core.modules import registry
    from tenants.services import delete_tenant

    info = _provision(f"t{uuid.uuid4().hex[:10]}", tuple(registry.codes()))
    try:
        yield info
    finally:
        connection.set_schema_to_public()
        delete_tenant(Tenant.objects.get(pk=info.tenant.pk))
