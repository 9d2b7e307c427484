"""MRP: netting by low-level code, lead-time offsets, pegging, messages, idempotency and the cancelled order."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from core.catalog.services import get_or_create_unit
from core.events.webhooks import drain_outbox
from core.inventory.factories import make_stock_location, receive
from core.inventory.position import inventory_positions
from core.partners.services import create_customer, create_supplier
from core.planning.models import DemandForecast
from core.purchasing.services import OrderLineInput, create_purchase_order, submit_purchase_order
from core.sales.services import SalesLineInput, cancel_sales_order, confirm_sales_order, create_sales_order
from verticals.discrete_mfg import boms
from verticals.discrete_mfg.exceptions import MissingUnitConversion
from verticals.discrete_mfg.factories import make_part, release_bom
from verticals.discrete_mfg.models import (
    BomLine,
    LeadTimePrediction,
    MessageKind,
    MrpMessage,
    MrpRun,
    PegSource,
    PlannedOrder,
    SalesOrderPromise,
)
from verticals.discrete_mfg.mrp import run_mrp
from verticals.discrete_mfg.work_orders import create_work_order

pytestmark = pytest.mark.usefixtures("in_alpha")


def _sell(item, location, quantity, days):
    customer = create_customer(code=f"C-{item.sku}-{days}", name="客户")
    order = create_sales_order(
        customer=customer, source=location, lines=[SalesLineInput(item.pk, Decimal(quantity))], actor="sales"
    )
    confirm_sales_order(order, actor="sales")
    SalesOrderPromise.objects.create(sales_order=order, promised_on=timezone.localdate() + timedelta(days=days))
    return order


def _pump_structure():
    """pump (make, 2 d) ⊃ 1 motor (make, 3 d) + 4 bolts (buy, 5 d); motor ⊃ 2 windings (buy, 10 d)."""
    bolt = make_part("M-BOLT", lead_time_days=5, cost="1")
    winding = make_part("M-WIND", lead_time_days=10, cost="30")
    motor = make_part("M-MOTOR", make=True, lead_time_days=3)
    pump = make_part("M-PUMP", make=True, lead_time_days=2)
    release_bom(motor, [(winding, 2)])
    release_bom(pump, [(motor, 1), (bolt, 4)])
    return pump, motor, bolt, winding


def test_mrp_nets_each_level_offsets_by_lead_time_and_pegs_every_planned_order():
    # given: 10 pumps promised in 30 days, 3 motors and 8 bolts on hand
    today = timezone.localdate()
    plant = make_stock_location("WH-MRP1")
    pump, motor, bolt, winding = _pump_structure()
    receive(motor, plant, 3)
    receive(bolt, plant, 8)
    order = _sell(pump, plant, "10", 30)
    # when
    result = run_mrp(plant.pk, actor="planner")
    # then
    planned = {p.item_id: p for p in PlannedOrder.objects.filter(run=result.run)}
    assert set(planned) == {pump.pk, motor.pk, bolt.pk, winding.pk}
    assert (planned[pump.pk].kind, planned[pump.pk].quantity) == ("work", Decimal("10.0000"))
    assert planned[pump.pk].due_on == today + timedelta(days=30) and planned[pump.pk].release_on == today + timedelta(days=28)
    assert planned[motor.pk].quantity == Decimal("7.0000") and planned[motor.pk].due_on == today + timedelta(days=28)
    assert planned[motor.pk].release_on == today + timedelta(days=25)
    assert planned[bolt.pk].quantity == Decimal("32.0000") and planned[bolt.pk].kind == "purchase"
    assert planned[winding.pk].quantity == Decimal("14.0000") and planned[winding.pk].release_on == today + timedelta(days=15)
    # pegging: the pump to the sales order, each part to the planned order above it
    assert [(g.source, g.source_id) for g in planned[pump.pk].pegs.all()] == [(PegSource.SALES_ORDER, order.pk)]
    assert [(g.source, g.source_id) for g in planned[winding.pk].pegs.all()] == [(PegSource.PLANNED_ORDER, planned[motor.pk].pk)]
    assert result.run.items_planned == 4 and result.run.planned_order_count == 4


def test_the_run_is_idempotent_per_day():
    plant = make_stock_location("WH-MRP2")
    pump, *_ = _pump_structure()
    _sell(pump, plant, "5", 20)
    first = run_mrp(plant.pk)
    again = run_mrp(plant.pk)
    assert again.created is False and again.run.pk == first.run.pk
    assert MrpRun.objects.filter(location=plant).count() == 1
    assert PlannedOrder.objects.filter(run=first.run).count() == 4


def test_safety_stock_the_forecast_and_open_work_orders_count():
    today = timezone.localdate()
    plant = make_stock_location("WH-MRP3")
    pump, _motor, bolt, _winding = _pump_structure()
    boms.set_planning_profile(bolt.pk, make_or_buy="buy", lead_time_days=5, safety_stock=Decimal("50"))
    monday = today + timedelta(days=14 - today.weekday())
    DemandForecast.objects.create(
        item=pump, location=plant, made_on=today, forecast_date=monday, horizon_days=14, p10=2, p50=6, p90=9
    )
    work_order = create_work_order(
        pump.pk, Decimal("2"), source=plant, destination=plant, actor="planner", due_date=today + timedelta(days=10)
    )
    result = run_mrp(plant.pk)
    planned = {(p.item_id, p.due_on): p for p in PlannedOrder.objects.filter(run=result.run)}
    pump_orders = [p for (item, _due), p in planned.items() if item == pump.pk]
    # the forecast's week: 6 pumps; the open work order already brings 2 against that need
    assert [(p.quantity, p.due_on) for p in pump_orders] == [(Decimal("4.0000"), monday)]
    sources = {g.source for p in PlannedOrder.objects.filter(run=result.run, item=bolt) for g in p.pegs.all()}
    # bolts: safety stock, the open work order's own components, and the planned pumps
    assert sources == {PegSource.SAFETY_STOCK, PegSource.WORK_ORDER, PegSource.PLANNED_ORDER}
    bolts = sum(p.quantity for p in PlannedOrder.objects.filter(run=result.run, item=bolt))
    assert bolts == Decimal("50") + Decimal("8") + Decimal("16")
    assert inventory_positions([(pump.pk, plant.pk)])[(pump.pk, plant.pk)] == Decimal("2")  # the open work order counts
    assert work_order.number


def test_messages_reschedule_existing_supply_and_release_what_is_due():
    # given: windings on a purchase order due in 40 days, needed much earlier; bolts on an order nobody needs
    today = timezone.localdate()
    plant = make_stock_location("WH-MRP4")
    pump, _motor, bolt, winding = _pump_structure()
    supplier = create_supplier(code="S-MRP4", name="供应商")
    late = create_purchase_order(
        supplier=supplier,
        destination=plant,
        lines=[OrderLineInput(winding.pk, Decimal("100"))],
        actor="buyer",
        expected_date=today + timedelta(days=40),
    )
    submit_purchase_order(late, actor="buyer")
    spare = make_part("M-SPARE")
    unneeded = create_purchase_order(
        supplier=supplier, destination=plant, lines=[OrderLineInput(spare.pk, Decimal("5"))], actor="buyer"
    )
    submit_purchase_order(unneeded, actor="buyer")
    _sell(pump, plant, "10", 6)  # too soon for the bolts' 5-day lead time: release now, late
    # when
    result = run_mrp(plant.pk)
    messages = {(m.kind, m.item_id, m.document_id) for m in MrpMessage.objects.filter(run=result.run)}
    # then
    assert (MessageKind.RESCHEDULE_IN, winding.pk, late.pk) in messages
    assert (MessageKind.CANCEL, spare.pk, unneeded.pk) in messages
    released = MrpMessage.objects.get(run=result.run, kind=MessageKind.RELEASE, item=bolt)
    assert released.suggested_date == today
    # windings come from the purchase order, so none are planned
    assert not PlannedOrder.objects.filter(run=result.run, item=winding).exists()
    moved = MrpMessage.objects.get(run=result.run, kind=MessageKind.RESCHEDULE_IN, item=winding)
    assert moved.current_date == today + timedelta(days=40) and moved.suggested_date == today + timedelta(days=1)


def test_a_phantom_passes_its_parts_straight_to_the_parent_and_the_model_lead_time_offsets():
    today = timezone.localdate()
    plant = make_stock_location("WH-MRP5")
    screw, plate = make_part("PH-SCREW", lead_time_days=3), make_part("PH-PLATE", lead_time_days=3)
    kit = make_part("PH-KIT", make=True)
    release_bom(kit, [(screw, 6), (plate, 1)], phantom=True)
    box = make_part("PH-BOX", make=True, lead_time_days=1)
    release_bom(box, [(kit, 1)])
    LeadTimePrediction.objects.create(item=screw, p10=Decimal("4"), p50=Decimal("6.2"), p90=Decimal("9"))
    _sell(box, plant, "2", 20)
    result = run_mrp(plant.pk)
    planned = {p.item_id: p for p in PlannedOrder.objects.filter(run=result.run)}
    assert kit.pk not in planned
    assert planned[screw.pk].quantity == Decimal("12.0000") and planned[plate.pk].quantity == Decimal("2.0000")
    assert (planned[screw.pk].lead_time_days, planned[screw.pk].lead_time_source) == (7, "model_p50")
    assert planned[screw.pk].release_on == today + timedelta(days=19 - 7)
    assert planned[plate.pk].lead_time_source == "fixed"


def test_a_missing_unit_conversion_names_the_item_and_writes_nothing():
    plant = make_stock_location("WH-MRP6")
    pump, _motor, bolt, _winding = _pump_structure()
    box = get_or_create_unit("box", "盒")
    BomLine.objects.filter(component=bolt).update(unit=box)  # a conversion deleted after the BOM was released
    _sell(pump, plant, "1", 15)
    with pytest.raises(MissingUnitConversion) as refused:
        run_mrp(plant.pk)
    assert refused.value.sku == "M-BOLT" and "M-BOLT" in str(refused.value)
    assert not MrpRun.objects.filter(location=plant).exists() and not PlannedOrder.objects.exists()


def test_a_cancelled_sales_order_flags_its_pegged_supply_through_the_outbox():
    plant = make_stock_location("WH-MRP7")
    pump, motor, bolt, winding = _pump_structure()
    kept = _sell(pump, plant, "3", 25)
    cancelled = _sell(pump, plant, "4", 40)
    result = run_mrp(plant.pk)
    # when
    cancel_sales_order(cancelled, actor="sales", reason="客户取消")
    drain_outbox()
    drain_outbox()  # a redelivery adds nothing
    # then: the pump order for the cancelled demand and everything below it are flagged, the other order's are not
    flagged = PlannedOrder.objects.filter(run=result.run, flagged=True)
    assert {p.item_id for p in flagged} == {pump.pk, motor.pk, bolt.pk, winding.pk}
    assert all(
        p.pegs.filter(source=PegSource.SALES_ORDER, source_id=kept.pk).count() == 0 for p in flagged if p.item_id == pump.pk
    )
    assert PlannedOrder.objects.filter(run=result.run, flagged=False, item=pump).count() == 1
    cancels = MrpMessage.objects.filter(kind=MessageKind.CANCEL, planned_order__in=flagged)
    assert cancels.count() == 4 and cancelled.number in cancels.first().note


def test_mrp_covers_a_short_primary_from_its_alternates_stock_in_priority_order_and_says_so():
    # given: a pump of 4 bolts; the bolt line has two alternates (B first, then C at 2 C per bolt);
    # 8 bolts, 20 B and 30 C on hand; 10 pumps promised
    plant = make_stock_location("WH-ALT")
    bolt, bolt_b, bolt_c = make_part("ALT-BOLT"), make_part("ALT-BOLT-B"), make_part("ALT-BOLT-C")
    pump = make_part("ALT-PUMP", make=True, lead_time_days=2)
    eco = boms.create_eco(pump.pk, title="替代料", actor="eng")
    line = boms.add_bom_line(eco.new_version_id, boms.LineInput(component_id=bolt.pk, quantity=Decimal(4)))
    boms.add_alternate(line.pk, bolt_c.pk, priority=2, ratio=Decimal(2))
    boms.add_alternate(line.pk, bolt_b.pk, priority=1)
    boms.submit_eco(eco, actor="eng")
    boms.release_eco(eco, actor="eng")
    for part, quantity in ((bolt, 8), (bolt_b, 20), (bolt_c, 30)):
        receive(part, plant, quantity)
    _sell(pump, plant, "10", 30)
    # when
    run = run_mrp(plant.pk, actor="planner").run
    # then: 40 bolts = 8 on hand + 20 B + 12 from 24 C; nothing left to buy, no alternate planned
    assert not PlannedOrder.objects.filter(run=run).exclude(item=pump).exists()
    used = {m.item.sku: m.quantity for m in MrpMessage.objects.filter(run=run, kind=MessageKind.USE_ALTERNATE)}
    assert used == {"ALT-BOLT-B": Decimal(20), "ALT-BOLT-C": Decimal(24)}
    note = MrpMessage.objects.get(run=run, item=bolt_c).note
    assert "12" in note and "ALT-BOLT" in note
    # with only 10 C left the rest of the bolts are bought
    _sell(pump, plant, "5", 31)  # 20 more bolts: C covers 3 (6 C left), 17 bought
    later = run_mrp(plant.pk, actor="planner", today=timezone.localdate() + timedelta(days=1)).run
    bought = PlannedOrder.objects.get(run=later, item=bolt)
    assert bought.quantity == Decimal(17)
