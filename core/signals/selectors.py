"""Signal reads for other apps: the day-over-day market price move of items."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from core.signals.models import MarketPrice

# A move is only news while it is fresh: the latest price must be from today or yesterday, and the one it is
# compared with at most a week older (a feed skips weekends and holidays).
FRESH_DAYS = 1
LOOKBACK_DAYS = 8
HUNDRED = Decimal("100")


def price_changes_pct(item_ids: Iterable[int], today: date) -> dict[int, Decimal]:
    """Per item: (latest − previous) / previous × 100 over its two latest prices, rounded to 0.01; signed.

    Items without a fresh latest price, or without an earlier one to compare with, are left out.
    """
    ids = sorted(set(item_ids))
    if not ids:
        return {}
    rows = (
        MarketPrice.objects.filter(item_id__in=ids, date__gte=today - timedelta(days=LOOKBACK_DAYS), date__lte=today)
        .order_by("item_id", "-date")
        .values_list("item_id", "date", "price")
    )
    latest: dict[int, list[tuple[date, Decimal]]] = {}
    for item_id, day, price in rows:
        seen = latest.setdefault(item_id, [])
        if len(seen) < 2:
            seen.append((day, price))
    changes: dict[int, Decimal] = {}
    for item_id, seen in latest.items():
        if len(seen) < 2 or seen[0][0] < today - timedelta(days=FRESH_DAYS):
            continue
        (_, now_price), (_, before) = seen
        changes[item_id] = ((now_price - before) / before * HUNDRED).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return changes
