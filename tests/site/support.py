"""Builders for the public-site tests: a valid signup form and clients on the public and tenant hosts."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.test import Client

PASSWORD = "Sturdy-walnut-93!"


def unique_slug(prefix: str = "s") -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def signup_data(**overrides: Any) -> dict[str, Any]:
    slug = overrides.pop("slug", None) or unique_slug()
    data: dict[str, Any] = {
        "company": "杭州小店 Trading",
        "slug": slug,
        "email": f"owner@{slug}.example.com",
        "password": PASSWORD,
        "modules": ["food", "retail"],
        "language": "zh-hans",
        "currency": "CNY",
    }
    data.update(overrides)
    return data


def public_client(language: str | None = None) -> Client:
    client = Client(HTTP_HOST=settings.BASE_DOMAIN)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def tenant_client(url: str) -> tuple[Client, str]:
    """A client on the host of an absolute tenant URL, and that URL's path with its query."""
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return Client(HTTP_HOST=parts.netloc), path
