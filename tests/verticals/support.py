"""Helpers for the vertical tests: post GraphQL, switch a module's entitlement, read the nav."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client

from billing.entitlements import invalidate
from billing.services import set_module_status


def gql(client: Client, query: str, **variables: Any) -> dict[str, Any]:
    """The whole response body (data and errors) of one GraphQL request."""
    response = client.post("/graphql/", json.dumps({"query": query, "variables": variables}), content_type="application/json")
    assert response.status_code in (200, 400), response.content
    return response.json()


def data(client: Client, query: str, **variables: Any) -> dict[str, Any]:
    body = gql(client, query, **variables)
    assert "errors" not in body, body
    return body["data"]


def nav_modules(client: Client) -> set[str]:
    """The modules whose links the navigation shows (base.html tags each link with data-module)."""
    page = client.get("/").content.decode()
    return set(re.findall(r'data-module="([a-z_]+)"', page))


@pytest.fixture
def module_status(db) -> Iterator[Callable[[Any, str, str], None]]:
    """Set a tenant's module status for one test.

    The entitlement row is rolled back with the test, but the entitlement cache is not (and
    set_module_status clears it on commit, which a rolled-back test never reaches): clear it now and
    again afterwards, so no other test sees this test's status.
    """
    touched: list[Any] = []

    def set_status(info: Any, code: str, status: str) -> None:
        set_module_status(info.tenant, code, status)
        invalidate(info.tenant)
        touched.append(info.tenant)

    yield set_status
    for tenant in touched:
        invalidate(tenant)
