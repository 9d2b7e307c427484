"""Recall tracing (召回追溯), read from the stock ledger alone.

Forward: a supplier lot → every move of it (receipt, transfers, production use, sale) and, through production
documents, the lots made from it. Backward: a customer complaint (customer + item + date) → the lots shipped
to that customer → through production documents → the lots received from suppliers.

A lot keeps its identity through every transfer, so "where did it go" is every move of the lot, at any
number of transfer levels, in one set-based query. Production is the one place a lot turns into other lots:
a recursive CTE follows "moved into the production location under document D" to "came out of it under the
same D" (a manufacturing work order's issue and completion). Production use without an output lot (a
restaurant's backflush into dishes) ends the trail there. No other module is imported: only moves are read.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.inventory.models import Lot, StockLevel, StockMove
from core.locations.models import Location, LocationKind
from core.partners.models import Customer
from core.purchasing.models import GoodsReceipt
from core.sales.models import Shipment
from verticals.food.exceptions import ComplaintNotTraceable, RecallLotUnknown
from verticals.food.models import HoldReason, LotHold, Recall

ZERO = Decimal("0")
# How far back of the complaint date a sale to the customer may have been (a chilled item's usual life).
DEFAULT_COMPLAINT_WINDOW_DAYS = 30

_LOCATION = Location._meta.db_table
_MOVE = StockMove._meta.db_table

# Lots derived from the start lot through production documents (its own id included).
_FORWARD_LOTS = f"""
WITH RECURSIVE traced(lot_id) AS (
    SELECT %s::bigint
  UNION
    SELECT made.lot_id
      FROM traced
      JOIN {_MOVE} used ON used.lot_id = traced.lot_id
      JOIN {_LOCATION} plant ON plant.id = used.to_location_id AND plant.kind = 'production'
      JOIN {_MOVE} made ON made.from_location_id = used.to_location_id
                        AND made.document_type = used.document_type
                        AND made.document_id = used.document_id
                        AND made.lot_id IS NOT NULL
)
SELECT lot_id FROM traced
"""

# Lots a set of lots was made from, back to the ones bought in (their own ids included).
_BACKWARD_LOTS = f"""
WITH RECURSIVE origin(lot_id) AS (
    SELECT unnest(%s::bigint[])
  UNION
    SELECT used.lot_id
      FROM origin
      JOIN {_MOVE} made ON made.lot_id = origin.lot_id
      JOIN {_LOCATION} plant ON plant.id = made.from_location_id AND plant.kind = 'production'
      JOIN {_MOVE} used ON used.to_location_id = made.from_location_id
                        AND used.document_type = made.document_type
                        AND used.document_id = made.document_id
                        AND used.lot_id IS NOT NULL
)
SELECT lot_id FROM origin
"""

# Every move of the traced lots with what a recall report needs, in one query.
_MOVES = f"""
SELECT m.id, m.occurred_at, m.lot_id, m.item_id, m.quantity, m.document_type, m.document_id,
       src.code, src.kind, dst.code, dst.kind
  FROM {_MOVE} m
  JOIN {_LOCATION} src ON src.id = m.from_location_id
  JOIN {_LOCATION} dst ON dst.id = m.to_location_id
 WHERE m.lot_id = ANY(%s::bigint[])
 ORDER BY m.occurred_at, m.id
"""


@dataclass(frozen=True)
class TracedMove:
    occurred_at: datetime
    kind: str  # receipt | transfer | production | sale | return | loss | other
    item_sku: str
    lot_code: str
    from_code: str
    to_code: str
    quantity: Decimal
    document: str


@dataclass(frozen=True)
class StockStillHeld:
    location_code: str
    item_sku: str
    lot_code: str
    lot_id: int
    on_hand: Decimal


@dataclass
class RecallTrace:
    lot: Lot
    lot_ids: list[int]
    moves: list[TracedMove]
    customers: dict[str, Decimal]  # who received how much (net of returns)
    in_stock: list[StockStillHeld]
    elapsed_ms: float
    locations_reached: set[str] = field(default_factory=set)

    @property
    def quantity_in_stock(self) -> Decimal:
        return sum((row.on_hand for row in self.in_stock), ZERO)


@dataclass(frozen=True)
class SupplierLot:
    lot_id: int
    lot_code: str
    item_sku: str
    supplier: str
    received_at: datetime
    quantity: Decimal


@dataclass
class ComplaintTrace:
    shipped_lot_ids: list[int]
    supplier_lots: list[SupplierLot]
    elapsed_ms: float


def find_lot(item_sku: str, lot_code: str) -> Lot:
    """The lot by the codes on its label; an unknown one is named in the error."""
    lot = Lot.objects.select_related("item").filter(item__sku=item_sku.strip(), code=lot_code.strip()).first()
    if lot is None:
        raise RecallLotUnknown(lot_code.strip(), item_sku.strip())
    return lot


def _kind(src_kind: str, dst_kind: str) -> str:
    stock = (LocationKind.INTERNAL, LocationKind.TRANSIT)
    if src_kind == LocationKind.SUPPLIER:
        return "receipt"
    if dst_kind == LocationKind.CUSTOMER:
        return "sale"
    if src_kind == LocationKind.CUSTOMER:
        return "return"
    if LocationKind.PRODUCTION in (src_kind, dst_kind):
        return "production"
    if dst_kind in (LocationKind.INVENTORY_LOSS, LocationKind.DONATION):
        return "loss"
    if src_kind in stock and dst_kind in stock:
        return "transfer"
    return "other"


def _customer_names(shipment_ids: set[int]) -> dict[int, str]:
    rows = Shipment.objects.filter(pk__in=shipment_ids).values_list("pk", "sales_order__customer__name")
    return dict(rows)


def trace_forward(lot: Lot) -> RecallTrace:
    """Everywhere the lot (and what was made from it) went, who got it, and what is still in stock."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(_FORWARD_LOTS, [lot.pk])
        lot_ids = sorted(row[0] for row in cursor.fetchall())
        cursor.execute(_MOVES, [lot_ids])
        rows = cursor.fetchall()
    lots = Lot.objects.in_bulk(lot_ids)
    skus = dict(Lot.objects.filter(pk__in=lot_ids).values_list("pk", "item__sku"))
    shipment_ids = {row[6] for row in rows if row[5] == "shipment" and row[6] is not None}
    customers_by_shipment = _customer_names(shipment_ids)
    moves: list[TracedMove] = []
    customers: dict[str, Decimal] = defaultdict(lambda: ZERO)
    reached: set[str] = set()
    for _pk, occurred_at, lot_id, _item, quantity, doc_type, doc_id, src, src_kind, dst, dst_kind in rows:
        kind = _kind(src_kind, dst_kind)
        moves.append(
            TracedMove(occurred_at, kind, skus[lot_id], lots[lot_id].code, src, dst, quantity, f"{doc_type}:{doc_id or ''}")
        )
        if dst_kind == LocationKind.INTERNAL:
            reached.add(dst)
        if kind in ("sale", "return"):
            who = customers_by_shipment.get(doc_id, "") if doc_type == "shipment" else ""
            who = who or f"{doc_type or 'sale'} @ {src if kind == 'sale' else dst}"
            customers[who] += quantity if kind == "sale" else -quantity
    in_stock = [
        StockStillHeld(code, sku, lot_code, lot_id, on_hand)
        for code, sku, lot_code, lot_id, on_hand in StockLevel.objects.filter(lot_id__in=lot_ids, on_hand__gt=0)
        .order_by("location__code", "item__sku", "lot__code")
        .values_list("location__code", "item__sku", "lot__code", "lot_id", "on_hand")
    ]
    elapsed = (time.perf_counter() - started) * 1000
    return RecallTrace(lot, lot_ids, moves, dict(customers), in_stock, elapsed, reached)


def trace_complaint(
    customer_id: int, item_id: int, on: date, *, window_days: int = DEFAULT_COMPLAINT_WINDOW_DAYS
) -> ComplaintTrace:
    """The supplier lots behind what the customer was sold of the item in the `window_days` up to `on`."""
    started = time.perf_counter()
    if not Customer.objects.filter(pk=customer_id).exists():
        raise ComplaintNotTraceable(_("Unknown customer %(id)s.") % {"id": customer_id}, field="customerId")
    since = timezone.make_aware(datetime.combine(on - timedelta(days=window_days), datetime.min.time()))
    until = timezone.make_aware(datetime.combine(on + timedelta(days=1), datetime.min.time()))
    shipments = Shipment.objects.filter(sales_order__customer_id=customer_id).values("pk")
    shipped = sorted(
        set(
            StockMove.objects.filter(
                document_type="shipment",
                document_id__in=shipments,
                item_id=item_id,
                lot__isnull=False,
                occurred_at__gte=since,
                occurred_at__lt=until,
            ).values_list("lot_id", flat=True)
        )
    )
    if not shipped:
        message = _("No lot of this item was shipped to this customer in the %(days)s days to %(on)s.")
        raise ComplaintNotTraceable(message % {"days": window_days, "on": on.isoformat()}, field="itemId")
    with connection.cursor() as cursor:
        cursor.execute(_BACKWARD_LOTS, [shipped])
        origin = sorted(row[0] for row in cursor.fetchall())
    receipts = list(
        StockMove.objects.filter(lot_id__in=origin, from_location__kind=LocationKind.SUPPLIER)
        .order_by("occurred_at", "pk")
        .values_list("lot_id", "lot__code", "item__sku", "document_type", "document_id", "occurred_at", "quantity")
    )
    receipt_ids = {doc_id for _, _, _, doc_type, doc_id, _, _ in receipts if doc_type == "goods_receipt" and doc_id is not None}
    supplier_of = dict(GoodsReceipt.objects.filter(pk__in=receipt_ids).values_list("pk", "purchase_order__supplier__name"))
    lots = [
        SupplierLot(lot_id, code, sku, supplier_of.get(doc_id or 0, "") if doc_type == "goods_receipt" else "", at, quantity)
        for lot_id, code, sku, doc_type, doc_id, at, quantity in receipts
    ]
    return ComplaintTrace(shipped, lots, (time.perf_counter() - started) * 1000)


@transaction.atomic
def start_recall(lot: Lot, *, actor: str, reason: str = "") -> tuple[Recall, RecallTrace]:
    """Trace the lot forward and record the recall with the trace's duration (the mock-recall timer)."""
    trace = trace_forward(lot)
    recall = Recall.objects.create(
        lot=lot,
        reason=reason,
        started_by=actor[:200],
        started_at=timezone.now(),
        trace_ms=Decimal(str(round(trace.elapsed_ms, 1))),
        traced_lot_count=len(trace.lot_ids),
        move_count=len(trace.moves),
    )
    return recall, trace


@transaction.atomic
def quarantine(recall: Recall, *, actor: str) -> int:
    """Put every traced lot on hold (one click): the ledger then refuses to pick them. Idempotent: a second
    click holds nothing twice. Returns the number of lots newly held."""
    recall = Recall.objects.select_for_update().get(pk=recall.pk)
    now = timezone.now()
    trace = trace_forward(recall.lot)
    reference = f"recall:{recall.pk}"
    already = set(LotHold.objects.filter(reference=reference, released_at__isnull=True).values_list("lot_id", flat=True))
    new = [
        LotHold(lot_id=lot_id, reason=HoldReason.RECALL, reference=reference, held_at=now, held_by=actor[:200])
        for lot_id in trace.lot_ids
        if lot_id not in already
    ]
    LotHold.objects.bulk_create(new)
    if recall.quarantined_at is None:
        recall.quarantined_at = now
        recall.quarantined_by = actor[:200]
        recall.save(update_fields=["quarantined_at", "quarantined_by"])
    return len(new)


def active_holds(lot_ids: list[int]) -> set[int]:
    """The food module's declared lot hold (core/inventory/holds.py): lots with an unreleased hold."""
    return set(LotHold.objects.filter(lot_id__in=lot_ids, released_at__isnull=True).values_list("lot_id", flat=True))
