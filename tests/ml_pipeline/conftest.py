"""Builders for the sales-history pipeline tests: a small catalogue and CSV files."""

from __future__ import annotations

from datetime import date, timedelta

from core.access import Actor
from core.inventory.factories import make_item, make_stock_location


def make_catalogue(skus: tuple[str, ...] = ("A-1", "B-2"), location: str = "WH1") -> str:
    """Items with these SKUs and one stock location; returns the location's code."""
    for sku in skus:
        make_item(sku)
    return make_stock_location(location).code


def sales_csv(skus: tuple[str, ...], location: str, days: int, start: date = date(2026, 1, 1)) -> bytes:
    """A clean file: a weekly rhythm per SKU, with a price and a promotion every tenth day."""
    lines = ["date,sku,location,quantity,price,promo"]
    for d in range(days):
        day = start + timedelta(days=d)
        for i, sku in enumerate(skus):
            quantity = 5 + 2 * i + (4 if day.weekday() >= 5 else 0) + (3 if d % 10 == 0 else 0)
            lines.append(f"{day.isoformat()},{sku},{location},{quantity},9.90,{1 if d % 10 == 0 else 0}")
    return ("\n".join(lines) + "\n").encode()


def system_actor() -> Actor:
    return Actor()
