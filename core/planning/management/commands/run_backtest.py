"""`manage.py run_backtest --tenant SLUG --sku X --location Y [--days N]`: static min/max vs forecast-driven."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tenants.utils import schema_context

from core.catalog.models import Item
from core.locations.models import Location
from core.planning.backtest import BacktestResult
from core.planning.backtest_data import backtest_item
from tenants.models import Tenant


def _line(label: str, result: BacktestResult) -> str:
    return (
        f"{label:<22} fill rate {result.fill_rate:.2%}  cycle service {result.cycle_service_level:.2%}  "
        f"stockout days {result.stockout_days}  average stock {result.average_stock} "
        f"(value {result.average_stock_value})  orders {result.orders_placed}"
    )


class Command(BaseCommand):
    help = "Replay an item × location's daily sales under static min/max and the forecast-driven policy."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", required=True, help="the tenant slug")
        parser.add_argument("--sku", required=True)
        parser.add_argument("--location", required=True, help="the location code")
        parser.add_argument("--days", type=int, default=365, help="days of history, the first 28 train the policies")
        parser.add_argument(
            "--variable-lead-time",
            action="store_true",
            help="draw each order's lead time from the supplier's learned mean and σ instead of using the mean",
        )
        parser.add_argument("--seed", type=int, default=0, help="seed of the lead-time draws")

    def handle(
        self, *args: Any, tenant: str, sku: str, location: str, days: int, variable_lead_time: bool, seed: int, **options: Any
    ) -> None:
        found = Tenant.objects.filter(slug=tenant).first()
        if found is None:
            raise CommandError(f"No tenant with slug {tenant!r}")
        with schema_context(found.schema_name):
            item = Item.objects.filter(sku=sku).first()
            place = Location.objects.filter(code=location).first()
            if item is None or place is None:
                raise CommandError(f"No item {sku!r} or no location {location!r}")
            try:
                comparison = backtest_item(item.pk, place.pk, days, variable_lead_time=variable_lead_time, seed=seed)
            except ValueError as error:
                raise CommandError(str(error)) from None
        lead = "variable" if variable_lead_time else "fixed"
        self.stdout.write(
            f"{sku} @ {location}: {comparison.forecast.days} days replayed, {lead} lead time "
            f"(mean of orders {comparison.forecast.mean_lead_time} days)"
        )
        self.stdout.write(_line("forecast-driven", comparison.forecast))
        self.stdout.write(_line(f"static ×{comparison.static.static_scale}", comparison.static))
        self.stdout.write(_line("static min/max (as is)", comparison.static_unscaled))
