"""Reads for users and API keys (the current tenant's schema)."""

from __future__ import annotations

from django.db.models import QuerySet

from tenants.accounts.models import ApiKey, User


def user_list(*, include_inactive: bool = True) -> QuerySet[User]:
    users = User.objects.order_by("email")
    return users if include_inactive else users.filter(is_active=True)


def user_by_id(user_id: int) -> User | None:
    return User.objects.filter(pk=user_id).first()


def api_key_list(*, include_revoked: bool = True) -> QuerySet[ApiKey]:
    keys = ApiKey.objects.order_by("-created_at", "-pk")
    return keys if include_revoked else keys.filter(revoked_at__isnull=True)


def api_key_by_prefix(prefix: str) -> ApiKey | None:
    return ApiKey.objects.filter(prefix=prefix).first()
