"""Roles and the permissions each role carries; the one table every check reads."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    MANAGER = "manager"
    CLERK = "clerk"
    VIEWER = "viewer"

    @property
    def rank(self) -> int:
        return _RANK[self]

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(role.value, role.value.title()) for role in cls]


_RANK = {Role.VIEWER: 0, Role.CLERK: 1, Role.MANAGER: 2, Role.ADMIN: 3, Role.OWNER: 4}


class Permission(StrEnum):
    """What an actor may do; each permission names the lowest role that holds it."""

    VIEW = "view"  # read anything in the tenant
    OPERATE = "operate"  # receive, pick, ship, count, transfer
    MANAGE = "manage"  # approve orders, plan, edit rules, upload history
    ADMINISTER = "administer"  # users, API keys, webhooks, modules
    OWN = "own"  # billing, tenant deletion

    @property
    def minimum_role(self) -> Role:
        return _MINIMUM_ROLE[self]

    @property
    def writes(self) -> bool:
        return self is not Permission.VIEW


_MINIMUM_ROLE = {
    Permission.VIEW: Role.VIEWER,
    Permission.OPERATE: Role.CLERK,
    Permission.MANAGE: Role.MANAGER,
    Permission.ADMINISTER: Role.ADMIN,
    Permission.OWN: Role.OWNER,
}


def role_has(role: str | Role, permission: Permission) -> bool:
    return Role(role).rank >= permission.minimum_role.rank


def can_assign_role(actor_role: str | Role, target_role: str | Role) -> bool:
    """An administrator hands out roles up to admin; only an owner makes (or unmakes) an owner."""
    actor, target = Role(actor_role), Role(target_role)
    if not role_has(actor, Permission.ADMINISTER):
        return False
    return target is not Role.OWNER or actor is Role.OWNER
