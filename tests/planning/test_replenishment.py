"""Replenishment end to end on real postings and documents: the chain-store incident must not happen again."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.inventory.factories import issue, make_item, make_stock_location, receive
from core.logistics.models import TransferOrder
from core.logistics.services import ship_transfer
from core.partners.services import create_supplier
from core.planning.exceptions import ProposalNotOpen
from core.planning.models import ProposalState, ReplenishmentProposal
from core.planning.services import approve_proposals, reject_proposals, run_replenishment
from core.purchasing.models import PurchaseOrder
from core.purchasing.services import (
    ReceiptLineInput,
    receive_purchase_order,
    send_purchase_order,
    submit_purchase_order,
)
from tests.planning.factories import make_store_location, source_from, write_forecast

pytestmark = pytest.mark.usefixtures("in_alpha")


def test_chain_store_incident_orders_once_per_store() -> None:
    # given: 23 stores each holding 20 of an item that sells 10 ± 2 a day; 20 buy from a supplier (7-day lead
    # time), 3 are supplied by the warehouse; every store is below its reorder point
    today = timezone.localdate()
    item = make_item(pack_size=D("12"))
    supplier = create_supplier(code="SUP-CHAIN", name="供应商", declared_lead_time_days=7)
    warehouse = make_stock_location()
    receive(item, warehouse, 1000)
    stores = [make_store_location(f"CHAIN-{n:02d}") for n in range(23)]
    for n, store in enumerate(stores):
        receive(item, store, 20)
        write_forecast(item, store, today, 30, "7.4368", "10", "12.5632")
        if n < 20:
            source_from(item, store, supplier=supplier)
        else:
            source_from(item, store, source_location=warehouse, transfer_lead_time_days=D("2"))

    # when: the first run, one approval, and the documents go out
    first = run_replenishment(run_key="night-1", today=today)
    proposals = list(ReplenishmentProposal.objects.filter(run=first))
    approve_proposals([p.pk for p in proposals], actor="buyer@example.com")
    between = run_replenishment(run_key="night-1b", today=today)  # drafts not yet sent
    for po in PurchaseOrder.objects.all():
        submit_purchase_order(po, actor="buyer@example.com")
        send_purchase_order(po, actor="buyer@example.com")
    for transfer in TransferOrder.objects.all():
        ship_transfer(transfer, actor="clerk@example.com")
    second = run_replenishment(run_key="night-2", today=today)

    # then: 23 proposals, one document per store, and no second order while the goods are on their way
    assert first.proposals_created == 23
    assert all(p.quantity % 12 == 0 and p.inventory_position == D("20") for p in proposals)
    assert between.proposals_created == 0
    assert second.proposals_created == 0
    assert PurchaseOrder.objects.count() == 20
    assert TransferOrder.objects.count() == 3
    for store in stores[:20]:
        assert PurchaseOrder.objects.filter(destination=store, state="sent").count() == 1
    for store in stores[20:]:
        assert TransferOrder.objects.filter(to_location=store, state="shipped").count() == 1


def test_rerunning_the_same_run_key_proposes_nothing_new() -> None:
    # given: one store below its reorder point
    today = timezone.localdate()
    item = make_item()
    store = make_store_location()
    write_forecast(item, store, today, 20, "5", "5", "5")
    source_from(item, store, supplier=create_supplier(code="SUP-RK", name="S", declared_lead_time_days=3))

    # when
    first = run_replenishment(run_key="retry", today=today)
    again = run_replenishment(run_key="retry", today=today)
    other = run_replenishment(run_key="retry-2", today=today)

    # then: the retry is the same run; a new run keeps the one open proposal
    assert again.pk == first.pk
    assert other.proposals_created == 0
    assert ReplenishmentProposal.objects.filter(item=item, location=store).count() == 1


def test_replenishment_reads_inventory_position_not_on_hand() -> None:
    # given: a store with nothing on hand but a sent purchase order covering its needs
    today = timezone.localdate()
    item = make_item()
    store = make_store_location()
    supplier = create_supplier(code="SUP-IP", name="S", declared_lead_time_days=2)
    write_forecast(item, store, today, 20, "4", "5", "6")
    source_from(item, store, supplier=supplier)
    run = run_replenishment(run_key="ip-1", today=today)
    approve_proposals(list(run.proposals.values_list("pk", flat=True)), actor="buyer")
    po = PurchaseOrder.objects.get(destination=store)
    submit_purchase_order(po, actor="buyer")
    send_purchase_order(po, actor="buyer")

    # when: the planner runs again while the order is open; then the goods are received against it and sold
    again = run_replenishment(run_key="ip-2", today=today)
    line = po.lines.get()
    receive_purchase_order(po, [ReceiptLineInput(line.pk, line.quantity)], actor="clerk", reference="GR-IP")
    issue(item, store, line.quantity)
    after_sales = run_replenishment(run_key="ip-3", today=today)

    # then: on order it is covered; once sold through, a new proposal appears
    assert run.proposals_created == 1
    assert again.proposals_created == 0
    assert after_sales.proposals_created == 1


def test_a_store_can_hold_only_one_open_proposal() -> None:
    # given
    today = timezone.localdate()
    item = make_item()
    store = make_store_location()
    write_forecast(item, store, today, 10, "5", "5", "5")
    source_from(item, store, supplier=create_supplier(code="SUP-UQ", name="S", declared_lead_time_days=3))
    run = run_replenishment(run_key="uq", today=today)
    proposal = run.proposals.get()

    # when / then: the database refuses a second open proposal for the pair
    with pytest.raises(IntegrityError), transaction.atomic():
        ReplenishmentProposal.objects.create(
            run=run,
            item=item,
            location=store,
            supplier=proposal.supplier,
            quantity=1,
            inventory_position=0,
            lead_time_demand=0,
            safety_stock=0,
            reorder_point=0,
            order_up_to=0,
            service_level=D("0.95"),
        )
    # a rejected proposal frees the pair for the next run
    reject_proposals([proposal.pk], actor="buyer", reason="store closing")
    assert run_replenishment(run_key="uq-2", today=today).proposals_created == 1
    with pytest.raises(ProposalNotOpen):
        approve_proposals([proposal.pk], actor="buyer")
    assert ReplenishmentProposal.objects.get(pk=proposal.pk).state == ProposalState.REJECTED
