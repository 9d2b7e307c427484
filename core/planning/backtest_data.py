"""Feed the replenishment backtest from the tenant's data: daily sales, lead time and unit cost of an item × location."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import numpy as np
from django.db.models import Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from core.inventory.models import ItemValuation, StockMove
from core.locations.models import LocationKind
from core.planning.backtest import PolicyComparison, compare_policies
from core.planning.exceptions import NoDemandHistory
from core.planning.history import read_history
from core.planning.models import DemandHistoryRow, SourcingRule
from core.planning.policy import supplier_lead_time

DEFAULT_LEAD_TIME_DAYS = 7


def history_end(item_id: int, location_id: int) -> date:
    """The last day the pair's demand history has an actual figure for (today without history): a backtest
    on uploaded history must end where the history ends, not "today"."""
    last = (
        DemandHistoryRow.objects.filter(
            item_id=item_id, location_id=location_id, superseded_by__isnull=True, quantity__isnull=False
        )
        .order_by("-date")
        .values_list("date", flat=True)
        .first()
    )
    return last or timezone.localdate()


def daily_sales(item_id: int, location_id: int, days: int, *, end: date | None = None) -> list[float]:
    """Units sold per day over the `days` days ending `end` (default: the end of the pair's history), zero-filled.

    The tenant's demand history (uploads, then rolled-up shipments) wins where present; otherwise the
    ledger's moves from the location to customer locations.
    """
    end = end or history_end(item_id, location_id)
    start = end - timedelta(days=days - 1)
    table = read_history(start=start, end=end, item_ids=[item_id])
    mask = (table.location_id == location_id) & np.isfinite(table.quantity)
    by_day: dict[date, Decimal] = {
        day.astype(date): Decimal(str(quantity)) for day, quantity in zip(table.date[mask], table.quantity[mask], strict=True)
    }
    if not by_day:
        shipped = (
            StockMove.objects.filter(
                item_id=item_id,
                from_location_id=location_id,
                to_location__kind=LocationKind.CUSTOMER,
                occurred_at__date__range=(start, end),
            )
            .annotate(day=TruncDate("occurred_at"))
            .values("day")
            .annotate(total=Sum("quantity"))
        )
        by_day = {row["day"]: row["total"] for row in shipped}
    return [float(by_day.get(start + timedelta(days=offset), 0)) for offset in range(days)]


def lead_time_of(item_id: int, location_id: int) -> tuple[int, float, int]:
    """(lead time days, its σ, review period days) from the sourcing rule; defaults without one."""
    rule = SourcingRule.objects.select_related("supplier").filter(item_id=item_id, location_id=location_id, active=True).first()
    if rule is None:
        return DEFAULT_LEAD_TIME_DAYS, DEFAULT_LEAD_TIME_DAYS * 0.25, 1
    if rule.supplier is not None:
        supplier = rule.supplier
        lead = supplier_lead_time(
            supplier.declared_lead_time_days,
            supplier.learned_lead_time_mean_days,
            supplier.learned_lead_time_std_days,
            supplier.lead_time_samples,
        )
        mean, std = lead.mean_days, lead.std_days
    else:
        mean, std = rule.transfer_lead_time_days, Decimal("0")
    return max(1, round(mean)), float(std), max(1, rule.review_period_days)


def backtest_item(
    item_id: int, location_id: int, days: int, *, end: date | None = None, variable_lead_time: bool = False, seed: int = 0
) -> PolicyComparison:
    """Both policies over the item × location's sales history, at equal average stock.

    With `variable_lead_time` each order's lead time is drawn from the supplier's learned mean and σ (seeded).
    """
    demand = daily_sales(item_id, location_id, days, end=end)
    if not any(demand):
        # Nothing was demanded in the window: any fill rate would be 100 % on no stock, a figure of nothing.
        raise NoDemandHistory()
    lead, lead_std, review = lead_time_of(item_id, location_id)
    valuation = ItemValuation.objects.filter(item_id=item_id).first()
    unit_cost = float(valuation.average_cost) if valuation else 0.0
    return compare_policies(
        demand,
        lead_time_days=lead,
        lead_time_std_days=lead_std,
        review_period_days=review,
        unit_cost=unit_cost,
        variable_lead_time=variable_lead_time,
        seed=seed,
    )
