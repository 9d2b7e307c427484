"""Recall tracing: forward from a supplier lot, backward from a complaint, report, quarantine, timer."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date
from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from core.inventory.exceptions import InsufficientStock, LotOnHold
from core.inventory.factories import issue, make_item, make_stock_location, receive
from core.inventory.models import Lot, StockLevel
from core.inventory.services import MoveLine, post_moves, reserve_stock
from core.locations.models import LocationKind
from core.locations.services import get_virtual_location
from core.purchasing.services import ReceiptLineInput, receive_purchase_order
from core.sales.services import allocate_sales_order, confirm_sales_order, pick_sales_order, ship_sales_order
from tenants.accounts.roles import Role
from tests.documents.support import CLERK, make_customer, make_po, make_so, make_supplier
from tests.platform.graphql_support import client_as
from verticals.food import recall
from verticals.food.exceptions import ComplaintNotTraceable, RecallLotUnknown
from verticals.food.models import LotHold
from verticals.food.recall_report import recall_csv, recall_pdf

from .support import data, gql


def _move(item, lot: Lot | None, source, target, quantity: str, document_type: str, document_id: int | None = None) -> None:
    post_moves(
        [MoveLine(item.pk, source.pk, target.pk, Decimal(quantity), lot_id=lot.pk if lot else None)],
        idempotency_key=f"test:{uuid.uuid4().hex}",
        document_type=document_type,
        document_id=document_id,
    )


def _lot_on_hand(item, location, lot: Lot) -> Decimal:
    return StockLevel.objects.get(item=item, location=location, lot=lot).on_hand


def _chain():
    """Milk lot M-1 received at the DC, moved to two stores, one part sold, one part made into yoghurt."""
    milk = make_item(lot_tracked=True)
    yoghurt = make_item(lot_tracked=True)
    dc, store_a, store_b = make_stock_location(), make_stock_location(), make_stock_location()
    receive(milk, dc, "100", lot_code="M-1")
    receive(milk, dc, "50", lot_code="M-2")  # another lot of the same item: must stay out of the trace
    lot = Lot.objects.get(item=milk, code="M-1")
    _move(milk, lot, dc, store_a, "30", "transfer")
    _move(milk, lot, dc, store_b, "20", "transfer")
    issue(milk, store_a, "12")  # FIFO by receipt: lot M-1
    plant = get_virtual_location(LocationKind.PRODUCTION)
    _move(milk, lot, dc, plant, "40", "work_order", 9001)
    post_moves(
        [MoveLine(yoghurt.pk, plant.pk, dc.pk, Decimal("80"), lot_code="Y-1")],
        idempotency_key=f"wo:{uuid.uuid4().hex}",
        document_type="work_order",
        document_id=9001,
    )
    return milk, yoghurt, lot, dc, store_a, store_b


def test_forward_trace_follows_transfers_production_and_sales(in_alpha):
    # given
    _milk, yoghurt, lot, dc, store_a, store_b = _chain()
    yoghurt_lot = Lot.objects.get(item=yoghurt, code="Y-1")
    # when
    trace = recall.trace_forward(lot)
    # then
    assert set(trace.lot_ids) == {lot.pk, yoghurt_lot.pk}
    kinds = [move.kind for move in trace.moves]
    assert kinds.count("receipt") == 1 and kinds.count("transfer") == 2 and kinds.count("sale") == 1
    assert kinds.count("production") == 2  # the milk into the work order, the yoghurt out of it
    stock = {(row.location_code, row.lot_code): row.on_hand for row in trace.in_stock}
    assert stock == {
        (dc.code, "M-1"): Decimal("10"),
        (dc.code, "Y-1"): Decimal("80"),
        (store_a.code, "M-1"): Decimal("18"),
        (store_b.code, "M-1"): Decimal("20"),
    }
    assert sum(trace.customers.values()) == Decimal("12")
    assert "M-2" not in {move.lot_code for move in trace.moves}
    assert trace.elapsed_ms > 0


def test_a_recall_on_an_unknown_lot_names_it(in_alpha):
    # given
    milk = make_item(lot_tracked=True)
    # when
    with pytest.raises(RecallLotUnknown) as refused:
        recall.find_lot(milk.sku, "NO-SUCH-LOT")
    # then
    assert "NO-SUCH-LOT" in str(refused.value) and refused.value.field == "lotCode"


def test_backward_trace_from_a_complaint_reaches_the_supplier_lot(in_alpha):
    # given: cheese bought from a supplier as lot C-7, made into sandwiches, shipped to a customer
    cheese, sandwich = make_item(lot_tracked=True), make_item(lot_tracked=True)
    dc = make_stock_location()
    supplier = make_supplier(name="光明乳业")
    po = make_po([(cheese, "10", "8")], destination=dc, supplier=supplier, state="sent")
    receive_purchase_order(
        po, [ReceiptLineInput(po.lines.get().pk, Decimal("10"), lot_code="C-7")], actor=CLERK, reference="dn-c7"
    )
    receive(cheese, dc, "10", lot_code="C-8")  # an unrelated lot, never used
    plant = get_virtual_location(LocationKind.PRODUCTION)
    _move(cheese, Lot.objects.get(item=cheese, code="C-7"), dc, plant, "4", "work_order", 77)
    post_moves(
        [MoveLine(sandwich.pk, plant.pk, dc.pk, Decimal("20"), lot_code="S-1")],
        idempotency_key=f"wo:{uuid.uuid4().hex}",
        document_type="work_order",
        document_id=77,
    )
    customer = make_customer(name="城东学校食堂")
    order = make_so([(sandwich, "5")], source=dc, customer=customer)
    confirm_sales_order(order, actor=CLERK)
    allocate_sales_order(order, actor=CLERK)
    pick_sales_order(order, actor=CLERK)
    ship_sales_order(order, actor=CLERK)
    # when
    trace = recall.trace_complaint(customer.pk, sandwich.pk, date.today())
    # then
    assert [(lot.lot_code, lot.supplier) for lot in trace.supplier_lots] == [("C-7", "光明乳业")]
    with pytest.raises(ComplaintNotTraceable):
        recall.trace_complaint(make_customer().pk, sandwich.pk, date.today())
    forward = recall.trace_forward(Lot.objects.get(item=cheese, code="C-7"))
    assert forward.customers == {"城东学校食堂": Decimal("5")}


def test_quarantine_blocks_picking_and_reserving_but_not_destroying(in_alpha):
    # given
    milk, _yoghurt, lot, _dc, store_a, _store_b = _chain()
    receive(milk, store_a, "5", lot_code="M-3")  # a clean lot at the store
    the_recall, _ = recall.start_recall(lot, actor="qa@example.com", reason="Listeria")
    # when
    held = recall.quarantine(the_recall, actor="qa@example.com")
    again = recall.quarantine(the_recall, actor="qa@example.com")
    # then
    assert held == 2 and again == 0
    assert LotHold.objects.filter(released_at__isnull=True).count() == 2
    issue(milk, store_a, "5")  # FIFO would take M-1 first; the hold leaves only M-3 to pick
    assert _lot_on_hand(milk, store_a, lot) == Decimal("18")
    with pytest.raises(InsufficientStock):
        issue(milk, store_a, "1")
    with pytest.raises(LotOnHold):
        _move(milk, lot, store_a, get_virtual_location(LocationKind.CUSTOMER), "1", "shipment")
    with pytest.raises(InsufficientStock):
        reserve_stock(milk.pk, store_a.pk, Decimal("1"), reference="so:x")
    _move(milk, lot, store_a, get_virtual_location(LocationKind.INVENTORY_LOSS), "18", "recall_destroy")
    assert _lot_on_hand(milk, store_a, lot) == Decimal("0")


def test_the_report_lists_stock_still_held_per_location(in_alpha):
    # given
    _milk, _yoghurt, lot, dc, store_a, store_b = _chain()
    the_recall, trace = recall.start_recall(lot, actor="qa@example.com")
    # when
    sheet = list(csv.reader(io.StringIO(recall_csv(the_recall, trace))))
    pdf = recall_pdf(the_recall, trace)
    # then
    stock_rows = {(r[0], r[2]): Decimal(r[3]) for r in sheet if len(r) == 4 and r[0] in (dc.code, store_a.code, store_b.code)}
    assert stock_rows == {(dc.code, "M-1"): 10, (dc.code, "Y-1"): 80, (store_a.code, "M-1"): 18, (store_b.code, "M-1"): 20}
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000
    assert the_recall.trace_ms > 0 and the_recall.move_count == len(trace.moves)


START = """
mutation($sku: String!, $lot: String!) {
  startRecall(itemSku: $sku, lotCode: $lot, reason: "供应商通知") {
    recall { id traceMs tracedLotCount quarantinedAt }
    errors { field code message }
  }
}
"""
QUARANTINE = """
mutation($id: ID!) { quarantineRecall(recallId: $id) { heldLotCount recall { quarantinedAt } errors { code } } }
"""


def test_recall_over_graphql_and_the_page(alpha):
    # given
    with schema_context(alpha.schema):
        milk, _yoghurt, _lot, *_ = _chain()
    client = client_as(alpha, Role.MANAGER)
    # when
    unknown = data(client, START, sku=milk.sku, lot="NOPE-9")["startRecall"]
    started = data(client, START, sku=milk.sku, lot="M-1")["startRecall"]
    held = data(client, QUARANTINE, id=started["recall"]["id"])["quarantineRecall"]
    # then
    assert unknown["errors"][0]["code"] == "UNKNOWN_LOT" and "NOPE-9" in unknown["errors"][0]["message"]
    assert started["recall"]["tracedLotCount"] == 2
    assert held["heldLotCount"] == 2 and held["recall"]["quarantinedAt"]
    page = client.get(f"/food/recalls/{started['recall']['id'].split(':')[-1]}/")
    assert page.status_code == 200 and "M-1" in page.content.decode()
    csv_response = client.get(f"/food/recalls/{started['recall']['id'].split(':')[-1]}/report.csv")
    assert csv_response.status_code == 200 and "M-1" in csv_response.content.decode()
    clerk = client_as(alpha, Role.CLERK)
    refused = gql(clerk, QUARANTINE, id=started["recall"]["id"])
    assert refused.get("errors") or refused["data"]["quarantineRecall"]["errors"]
