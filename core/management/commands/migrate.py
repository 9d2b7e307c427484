"""`migrate` is `migrate_schemas` (public, every tenant, and the template)."""

from core.management.commands.migrate_schemas import Command

__all__ = ["Command"]
