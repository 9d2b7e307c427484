"""`check_template`: fail (exit 1) when the tenant template schema lags behind the migrations on disk."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tenants.template import template_problems


class Command(BaseCommand):
    help = "Exit non-zero and list what is missing when the tenant template schema is stale."

    def handle(self, *args: Any, **options: Any) -> None:
        template = settings.TENANT_BASE_SCHEMA
        problems = template_problems()
        if problems:
            raise CommandError(
                f"Tenant template {template!r} is stale; run `manage.py migrate`. Missing:\n"
                + "\n".join(f"  {item}" for item in problems)
            )
        self.stdout.write(self.style.SUCCESS(f"Tenant template {template!r} is current."))
