from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from billing.reconcile import reconcile_all
from billing.subscriptions import stripe_configured


class Command(BaseCommand):
    help = "Compare every tenant's entitlements with its Stripe subscription and repair drift."

    def handle(self, *args: Any, **options: Any) -> None:
        if not stripe_configured():
            raise CommandError("STRIPE_SECRET_KEY is not set: billing runs as a local trial, nothing to reconcile.")
        report = reconcile_all()
        for line in report.lines():
            self.stdout.write(line)
        if report.errors:
            raise CommandError(f"{len(report.errors)} subscription(s) could not be read from Stripe.")
