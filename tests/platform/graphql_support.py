"""Helpers for the platform GraphQL tests: post a document, sign in as a role, hold an API key."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse
from django.test import Client
from django_tenants.utils import schema_context

from tenants.accounts.models import ApiKey, User
from tenants.accounts.roles import Role
from tenants.accounts.services import create_api_key, create_user

PASSWORD = "Sturdy-walnut-93!"


def gql(client: Client, query: str, variables: dict[str, Any] | None = None, **extra: Any) -> HttpResponse:
    body = json.dumps({"query": query, "variables": variables or {}})
    return client.post("/graphql/", body, content_type="application/json", **extra)


def owner(info: Any) -> User:
    with schema_context(info.schema):
        return User.objects.get(email=info.owner_email)


def person(info: Any, role: Role, email: str | None = None) -> User:
    """A user with `role` in the tenant's schema."""
    with schema_context(info.schema):
        return create_user(email or f"{role.value}@{info.tenant.slug}.example.com", PASSWORD, role)


def signed_in(info: Any, user: User) -> Client:
    client = Client(HTTP_HOST=info.host)
    response = client.post("/login/", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302, "could not sign in"
    return client


def client_as(info: Any, role: Role) -> Client:
    if role is Role.OWNER:
        return info.client()
    return signed_in(info, person(info, role))


def api_key(info: Any, scope: str = "read", modules: tuple[str, ...] = (), name: str = "ERP sync") -> tuple[ApiKey, str]:
    with schema_context(info.schema):
        return create_api_key(owner(info), name, scope, modules)


def key_client(info: Any, plaintext: str) -> Client:
    return Client(HTTP_HOST=info.host, HTTP_AUTHORIZATION=f"Bearer {plaintext}")
