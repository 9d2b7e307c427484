"""The one access check used by GraphQL and by views: who is acting, with which role, on which module."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tenants.accounts.models import ApiKey, User
from tenants.accounts.roles import Permission, role_has


class AccessDenied(Exception):
    """The actor is known but may not do this (403)."""

    code = "PERMISSION_DENIED"


class NotAuthenticated(AccessDenied):
    """No valid session or API key (401)."""

    code = "NOT_AUTHENTICATED"


class ModuleNotEnabled(AccessDenied):
    """The tenant has no entitlement for the module (or only read access to it)."""

    code = "MODULE_NOT_ENABLED"


class ModuleReadOnly(ModuleNotEnabled):
    code = "MODULE_READ_ONLY"


# What an integrator's key may reach: read keys only read; read-write keys act like a manager, and no
# key may administer users, keys or billing.
_KEY_CEILING = {False: {Permission.VIEW}, True: {Permission.VIEW, Permission.OPERATE, Permission.MANAGE}}


@dataclass(frozen=True)
class Actor:
    user: User | None = None
    api_key: ApiKey | None = None

    @property
    def is_authenticated(self) -> bool:
        return self.api_key is not None or (self.user is not None and self.user.is_authenticated and self.user.is_active)

    def can(self, permission: Permission) -> bool:
        if self.api_key is not None:
            return permission in _KEY_CEILING[self.api_key.can_write]
        return self.is_authenticated and role_has(self.user.role, permission)  # type: ignore[union-attr]

    def label(self) -> str:
        if self.api_key is not None:
            return f"api_key:{self.api_key.prefix}"
        return self.user.email if self.user is not None and self.user.is_authenticated else "anonymous"


def actor_label(actor: Actor | str | None) -> str:
    """How an actor is written into documents and events: a user's email, `api_key:<prefix>`, or the
    label a server-side caller passes (e.g. "system", "demo")."""
    if actor is None:
        return ""
    return actor.label() if isinstance(actor, Actor) else str(actor)


def actor_from_request(request: Any) -> Actor:
    api_key = getattr(request, "api_key", None)
    if api_key is not None:
        return Actor(api_key=api_key)
    user = getattr(request, "user", None)
    return Actor(user=user if user is not None and user.is_authenticated else None)


def check_access(request: Any, permission: Permission, module: str | None = None) -> Actor:
    """Raise unless the request's actor holds `permission` and the tenant (and key) may use `module`."""
    actor = actor_from_request(request)
    if not actor.is_authenticated:
        raise NotAuthenticated("Sign in or send an API key.")
    if not actor.can(permission):
        raise AccessDenied(f"Your role does not allow this ({permission.value}).")
    if module is not None:
        check_module(request, module, write=permission.writes)
    return actor


def check_module(request: Any, module: str, write: bool = False) -> None:
    from billing.entitlements import module_access

    actor = actor_from_request(request)
    if actor.api_key is not None and not actor.api_key.allows_module(module):
        raise AccessDenied(f"This API key is not scoped to the {module} module.")
    access = module_access(request.tenant).get(module)
    if access is None or not access.readable:
        raise ModuleNotEnabled(f"The {module} module is not enabled for this company.")
    if write and not access.writable:
        raise ModuleReadOnly(f"The {module} module is read-only: the subscription is not active.")
