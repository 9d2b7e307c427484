"""Builders for demand-history tests: daily store history with Sunday closures and promotions, plan rows."""

from __future__ import annotations

from datetime import date, timedelta

HEADER = "date,sku,location,quantity,price,promo,open"


def daily_history(skus: tuple[str, ...], location: str, start: date, days: int) -> list[str]:
    """Closed on Sundays (quantity 0, open 0); a weekly rhythm; a promotion every 10th day lifts sales."""
    lines = []
    for d in range(days):
        day = start + timedelta(days=d)
        for i, sku in enumerate(skus):
            if day.weekday() == 6:
                lines.append(f"{day.isoformat()},{sku},{location},0,9.90,0,0")
                continue
            promo = d % 10 == 0
            quantity = 6 + 2 * i + (4 if day.weekday() == 5 else 0) + (5 if promo else 0)
            lines.append(f"{day.isoformat()},{sku},{location},{quantity},9.90,{int(promo)},1")
    return lines


def plan_rows(skus: tuple[str, ...], location: str, start: date, days: int) -> list[str]:
    """Future days: closed on Sundays, a promotion on the third day; no quantity."""
    lines = []
    for d in range(days):
        day = start + timedelta(days=d)
        for sku in skus:
            if day.weekday() == 6:
                lines.append(f"{day.isoformat()},{sku},{location},,,,0")
            elif d == 2:
                lines.append(f"{day.isoformat()},{sku},{location},,8.50,1,")
    return lines


def csv_bytes(lines: list[str], header: str = HEADER) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode()
