"""Ledger reads: on hand, available, in transit, inventory position, stock value."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import DecimalField, F, QuerySet, Sum, Value
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce

from core.inventory.models import ItemValuation, Lot, StockLevel, StockMove
from core.locations.models import LocationKind

ZERO = Decimal("0")
_SUM = DecimalField(max_digits=20, decimal_places=4)


def _sum(queryset: QuerySet[StockLevel], expression: Combinable | str) -> Decimal:
    total = queryset.aggregate(total=Coalesce(Sum(expression), Value(ZERO), output_field=_SUM))["total"]
    return Decimal(total)


def on_hand(item_id: int, location_id: int) -> Decimal:
    """On hand at one location, over all lots."""
    return _sum(StockLevel.objects.filter(item_id=item_id, location_id=location_id), "on_hand")


def reserved(item_id: int, location_id: int) -> Decimal:
    return _sum(StockLevel.objects.filter(item_id=item_id, location_id=location_id), "reserved")


def available(item_id: int, location_id: int) -> Decimal:
    """On hand less reserved: what can still be promised."""
    return _sum(StockLevel.objects.filter(item_id=item_id, location_id=location_id), F("on_hand") - F("reserved"))


def in_transit_to(item_id: int, location_id: int) -> Decimal:
    """在途: on hand at transit locations whose destination is `location_id`."""
    return _sum(
        StockLevel.objects.filter(item_id=item_id, location__kind=LocationKind.TRANSIT, location__destination_id=location_id),
        "on_hand",
    )


def inventory_position(item_id: int, location_id: int) -> Decimal:
    """On hand + in transit + Σ registered sources (open POs, − backorders) − reserved."""
    from core.inventory.position import inventory_positions

    return inventory_positions([(item_id, location_id)])[(item_id, location_id)]


def level_totals(item_ids: list[int], location_ids: list[int]) -> dict[tuple[int, int], tuple[Decimal, Decimal]]:
    rows = (
        StockLevel.objects.filter(item_id__in=item_ids, location_id__in=location_ids)
        .values("item_id", "location_id")
        .annotate(on_hand_total=Sum("on_hand"), reserved_total=Sum("reserved"))
    )
    return {(r["item_id"], r["location_id"]): (r["on_hand_total"], r["reserved_total"]) for r in rows}


def transit_totals(item_ids: list[int], location_ids: list[int]) -> dict[tuple[int, int], Decimal]:
    rows = (
        StockLevel.objects.filter(
            item_id__in=item_ids, location__kind=LocationKind.TRANSIT, location__destination_id__in=location_ids
        )
        .values("item_id", "location__destination_id")
        .annotate(total=Sum("on_hand"))
    )
    # destination_id is null only for non-transit locations, which the filter already left out
    return {(r["item_id"], to): r["total"] for r in rows if (to := r["location__destination_id"]) is not None}


def stock_value() -> Decimal:
    """The tenant's stock value at moving average (or lot cost), over internal and transit locations."""
    total = ItemValuation.objects.aggregate(total=Coalesce(Sum("inventory_value"), Value(ZERO), output_field=_SUM))["total"]
    return Decimal(total)


def stock_levels(
    *, item_id: int | None = None, location_id: int | None = None, lot_id: int | None = None, non_zero: bool = True
) -> QuerySet[StockLevel]:
    queryset = StockLevel.objects.all()
    if item_id is not None:
        queryset = queryset.filter(item_id=item_id)
    if location_id is not None:
        queryset = queryset.filter(location_id=location_id)
    if lot_id is not None:
        queryset = queryset.filter(lot_id=lot_id)
    if non_zero:
        queryset = queryset.exclude(on_hand=0, reserved=0)
    return queryset


def stock_moves(
    *, item_id: int | None = None, location_id: int | None = None, document_type: str = "", document_id: int | None = None
) -> QuerySet[StockMove]:
    from django.db.models import Q

    queryset = StockMove.objects.all()
    if item_id is not None:
        queryset = queryset.filter(item_id=item_id)
    if location_id is not None:
        queryset = queryset.filter(Q(from_location_id=location_id) | Q(to_location_id=location_id))
    if document_type:
        queryset = queryset.filter(document_type=document_type)
    if document_id is not None:
        queryset = queryset.filter(document_id=document_id)
    return queryset


def expiring_lots(location_id: int | None = None, *, before: object = None) -> QuerySet[Lot]:
    """Lots with stock on hand expiring before `before` (a date), soonest first."""
    levels = StockLevel.objects.filter(on_hand__gt=0, lot__isnull=False)
    if location_id is not None:
        levels = levels.filter(location_id=location_id)
    queryset = Lot.objects.filter(pk__in=levels.values("lot_id"), expiry_date__isnull=False)
    if before is not None:
        queryset = queryset.filter(expiry_date__lt=before)
    return queryset.order_by("expiry_date")
