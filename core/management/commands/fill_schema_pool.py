"""`fill_schema_pool [--size N]`: clone spare tenant schemas now (normally a worker does it after signups)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from tenants.template import fill_pool


class Command(BaseCommand):
    help = "Drop spare schemas cloned from an older template and clone new ones up to the pool size."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--size", type=int, default=None, help=f"default TENANT_SPARE_SCHEMAS ({settings.TENANT_SPARE_SCHEMAS})"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        cloned = fill_pool(options["size"])
        self.stdout.write(self.style.SUCCESS(f"Cloned {cloned} spare tenant schema(s)."))
