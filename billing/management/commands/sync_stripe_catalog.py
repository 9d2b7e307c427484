from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from billing.catalog import sync_catalog
from billing.subscriptions import stripe_configured


class Command(BaseCommand):
    help = "Create or update the Stripe Products and monthly Prices of every module (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not stripe_configured():
            raise CommandError("STRIPE_SECRET_KEY is not set: billing runs as a local trial, there is no catalog.")
        report = sync_catalog()
        for pid in report.created_products:
            self.stdout.write(f"created product {pid}")
        for key in report.created_prices:
            self.stdout.write(f"created price {key}")
        for price_id in report.deactivated_prices:
            self.stdout.write(f"deactivated price {price_id}")
        if not report.changed:
            self.stdout.write("catalog up to date")
