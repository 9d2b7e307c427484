"""Restaurant reads: review queue, variance after a count, waste history, menu costs."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet, Sum

from core.catalog.models import Item
from core.counts.models import CycleCount, CycleCountState
from core.inventory.models import StockMove
from verticals.restaurant.models import (
    POS_DOCUMENT_TYPE as POS_DOCUMENT,
)
from verticals.restaurant.models import (
    WASTE_DOCUMENT_TYPE as WASTE_DOCUMENT,
)
from verticals.restaurant.models import (
    Dish,
    Outlet,
    PosTicketLine,
    TicketLineStatus,
    WasteRecord,
)

ZERO = Decimal(0)


@dataclass(frozen=True)
class UsageVariance:
    """理论与实际用量差异 for one ingredient over the period a count closes."""

    item_id: int
    sku: str
    name: str
    theoretical: Decimal  # what the recipes say the POS sales took
    waste: Decimal  # recorded waste
    actual: Decimal  # theoretical + waste + what the count found missing (− what it found extra)
    variance: Decimal  # actual − theoretical − waste: the unexplained part
    variance_pct: Decimal | None  # of theoretical


def outlets() -> QuerySet[Outlet]:
    return Outlet.objects.select_related("store", "stock_location").order_by("store__code")


def dishes(active: bool | None = True) -> QuerySet[Dish]:
    rows = Dish.objects.select_related("recipe")
    return rows if active is None else rows.filter(active=active)


def review_queue(outlet_id: int | None = None) -> QuerySet[PosTicketLine]:
    rows = PosTicketLine.objects.filter(status=TicketLineStatus.REVIEW).select_related("outlet__store")
    return rows.filter(outlet_id=outlet_id) if outlet_id else rows


def waste_records(outlet_id: int | None = None) -> QuerySet[WasteRecord]:
    rows = WasteRecord.objects.select_related("item", "outlet__store")
    return rows.filter(outlet_id=outlet_id) if outlet_id else rows


def usage_variance(outlet_id: int, count_id: int) -> list[UsageVariance]:
    """Theoretical against actual usage for the items a completed count covered, over the time since the
    previous completed count of the same location (or since the beginning)."""
    outlet = Outlet.objects.filter(pk=outlet_id).first()
    count = (
        CycleCount.objects.filter(pk=count_id, location_id=outlet.stock_location_id, state=CycleCountState.COMPLETED).first()
        if outlet is not None
        else None
    )
    if outlet is None or count is None:
        return []
    previous = (
        CycleCount.objects.filter(
            location_id=count.location_id, state=CycleCountState.COMPLETED, completed_at__lt=count.completed_at
        )
        .order_by("-completed_at")
        .values_list("completed_at", flat=True)
        .first()
    )
    differences: dict[int, Decimal] = {}
    for line in count.lines.all():
        if line.counted_quantity is not None and line.system_quantity is not None:
            differences[line.item_id] = differences.get(line.item_id, ZERO) + line.counted_quantity - line.system_quantity
    location = outlet.stock_location_id
    window = StockMove.objects.filter(item_id__in=list(differences), posting__occurred_at__lte=count.completed_at)
    if previous is not None:
        window = window.filter(posting__occurred_at__gt=previous)
    out_ = _sum(window.filter(posting__document_type=POS_DOCUMENT, from_location_id=location))
    back = _sum(window.filter(posting__document_type=POS_DOCUMENT, to_location_id=location))
    wasted = _sum(window.filter(posting__document_type=WASTE_DOCUMENT, from_location_id=location))
    items = Item.objects.in_bulk(list(differences))
    result = []
    for item_id, difference in sorted(differences.items()):
        theoretical = out_.get(item_id, ZERO) - back.get(item_id, ZERO)
        waste = wasted.get(item_id, ZERO)
        actual = theoretical + waste - difference
        variance = actual - theoretical - waste
        pct = (variance / theoretical * 100).quantize(Decimal("0.1")) if theoretical else None
        item = items[item_id]
        result.append(UsageVariance(item_id, item.sku, item.name_zh, theoretical, waste, actual, variance, pct))
    return result


def _sum(moves: QuerySet[StockMove]) -> dict[int, Decimal]:
    return {row["item_id"]: row["total"] for row in moves.values("item_id").annotate(total=Sum("quantity"))}
