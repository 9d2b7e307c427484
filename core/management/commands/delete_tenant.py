"""`delete_tenant <slug>`: drop a tenant's schema, rows, entitlements and files (shadows django-tenants')."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants.models import Tenant
from tenants.services import delete_tenant


class Command(BaseCommand):
    help = "Delete a tenant and everything it owns. Irreversible."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation")

    def handle(self, *args: Any, **options: Any) -> None:
        slug = options["slug"].strip().lower()
        tenant = Tenant.objects.exclude(schema_name="public").filter(slug=slug).first()
        if tenant is None:
            raise CommandError(f"No tenant with slug {slug!r}.")
        if not options["yes"]:
            if not sys.stdin.isatty():
                raise CommandError("Refusing to delete without --yes (no terminal to confirm on).")
            answer = input(f"Delete tenant {tenant.name} ({slug}) and all its data? Type the slug to confirm: ")
            if answer.strip() != slug:
                raise CommandError("Not confirmed; nothing was deleted.")
        schema = tenant.schema_name
        delete_tenant(tenant)
        self.stdout.write(self.style.SUCCESS(f"Deleted tenant {slug} (schema {schema} dropped)."))
