"""`manage.py load_rule_packs [--tenant slug]`: load every enabled module's rule pack into one tenant or all of them.

Idempotent: a rule already loaded is neither duplicated nor, once the tenant has edited it, overwritten.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tenants.utils import get_public_schema_name, schema_context

from core.rules.packs import load_enabled_rule_packs
from tenants.models import Tenant


class Command(BaseCommand):
    help = "Load the enabled modules' rule packs into tenants (all of them, or --tenant SLUG)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", help="the tenant slug; all tenants when left out")

    def handle(self, *args: Any, tenant: str | None = None, **options: Any) -> None:
        tenants = Tenant.objects.exclude(schema_name=get_public_schema_name()).order_by("pk")
        if tenant:
            tenants = tenants.filter(slug=tenant)
            if not tenants.exists():
                raise CommandError(f"No tenant with slug {tenant!r}")
        for each in tenants:
            with schema_context(each.schema_name):
                for result in load_enabled_rule_packs(each):
                    self.stdout.write(
                        f"{each.slug} {result.pack}: created {len(result.created)}, upgraded {len(result.upgraded)}, "
                        f"kept {len(result.kept)}, unchanged {len(result.unchanged)}"
                    )
