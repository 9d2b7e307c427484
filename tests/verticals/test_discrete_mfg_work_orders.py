"""Work orders: release with the blocking reason, issue with tolerance, report, complete through the ledger."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from core.inventory.exceptions import InsufficientStock
from core.inventory.factories import make_stock_location, receive
from core.inventory.models import ItemValuation, StockLevel
from verticals.discrete_mfg import boms
from verticals.discrete_mfg.exceptions import InvalidMfgQuantity, NoReleasedBom, OverIssue
from verticals.discrete_mfg.factories import draft_bom, make_part, release_bom
from verticals.discrete_mfg.models import IssueMethod, WorkCentre, WorkOrderScrap, WorkOrderState
from verticals.discrete_mfg.work_orders import (
    IssueLine,
    blocking_text,
    complete_work_order,
    create_work_order,
    issue_materials,
    issue_pick_list,
    release_work_order,
    report_operation,
    work_order_timeline,
)

pytestmark = pytest.mark.usefixtures("in_alpha")


def on_hand(item, location) -> Decimal:
    return sum((level.on_hand for level in StockLevel.objects.filter(item=item, location=location)), Decimal("0"))


def _valve():
    """valve ⊃ 1 body (10.00) + 2 o-rings (0.50, backflushed) + 1 stem (4.00); 12 min at 30/h; offcut by-product."""
    body, ring, stem = make_part("V-BODY", cost="10"), make_part("V-RING", cost="0.5"), make_part("V-STEM", cost="4")
    offcut = make_part("V-OFFCUT", cost="0.2")
    valve = make_part("V-VALVE", make=True)
    eco = draft_bom(valve, [(body, 1), (ring, 2), (stem, 1)])
    ring_line = eco.new_version.lines.get(component=ring)
    ring_line.backflush = True
    ring_line.save()
    centre = WorkCentre.objects.create(code="WC-V", name="阀门线", hourly_rate=Decimal("30"))
    boms.add_operation(eco.new_version_id, sequence=10, work_centre_id=centre.pk, run_minutes=Decimal("12"))
    boms.add_by_product(eco.new_version_id, offcut.pk, quantity=Decimal("0.5"), unit_cost=Decimal("0.2"))
    boms.submit_eco(eco, actor="eng")
    boms.release_eco(eco, actor="mgr")
    return valve, body, ring, stem, offcut


def test_a_released_work_order_says_what_it_waits_for():
    plant = make_stock_location("WH-WO1")
    valve, body, ring, stem, _offcut = _valve()
    receive(body, plant, 100)
    order = create_work_order(valve.pk, Decimal("10"), source=plant, destination=plant, actor="planner")
    assert {(c.item_id, c.required_quantity, c.backflush) for c in order.components.all()} == {
        (body.pk, Decimal("10.0000"), False),
        (ring.pk, Decimal("20.0000"), True),
        (stem.pk, Decimal("10.0000"), False),
    }
    release_work_order(order, actor="planner")
    timeline, reason = work_order_timeline(order)
    assert order.state == WorkOrderState.RELEASED
    assert timeline.blocking_reason == "awaiting_components"
    assert reason == "等待 3 种物料中的 2 种"  # zh-hans is the default
    with translation.override("en"):
        assert blocking_text(order) == "waiting for 2 of 3 components"
    receive(ring, plant, 100)
    receive(stem, plant, 100)
    assert blocking_text(order) == ""


def test_issue_follows_the_over_issue_tolerance_and_is_idempotent():
    plant = make_stock_location("WH-WO2")
    valve, body, ring, stem, _offcut = _valve()
    for part in (body, ring, stem):
        receive(part, plant, 100)
    order = create_work_order(valve.pk, Decimal("10"), source=plant, destination=plant, actor="planner")
    release_work_order(order, actor="planner")
    # 10.5 bodies is inside the default 5% tolerance, 11 is not
    with pytest.raises(OverIssue) as refused:
        issue_materials(order, [IssueLine(body.pk, Decimal("11"))], reference="t1", actor="line")
    assert refused.value.field == "lines.0.quantity"
    issue_materials(order, [IssueLine(body.pk, Decimal("10.5"))], reference="t2", actor="line")
    issue_materials(order, [IssueLine(body.pk, Decimal("10.5"))], reference="t2", actor="line")  # the same tap again
    assert on_hand(body, plant) == Decimal("89.5")
    order.refresh_from_db()
    assert order.state == WorkOrderState.IN_PROGRESS
    with pytest.raises(InvalidMfgQuantity):
        issue_materials(order, [IssueLine(make_part("V-OTHER").pk, Decimal("1"))], reference="t3", actor="line")


def test_pick_list_report_and_completion_receive_goods_at_rolled_up_cost_with_scrap_and_by_products():
    # given
    plant = make_stock_location("WH-WO3")
    valve, body, ring, stem, offcut = _valve()
    for part in (body, ring, stem):
        receive(part, plant, 100, unit_cost="1")
    order = create_work_order(valve.pk, Decimal("10"), source=plant, destination=plant, actor="planner")
    release_work_order(order, actor="planner")
    # when: the pick list brings bodies and stems, the line reports, then completes 8 good and 2 scrapped
    issue_pick_list(order, reference="pick", actor="store")
    report_operation(order, sequence=10, quantity=Decimal("10"), minutes=Decimal("130"), reference="r1", actor="line")
    with pytest.raises(InvalidMfgQuantity):
        complete_work_order(order, quantity=Decimal("8"), scrap_quantity=Decimal("2"), reference="done", actor="line")
    complete_work_order(
        order, quantity=Decimal("8"), scrap_quantity=Decimal("2"), scrap_reason="砂眼", reference="done", actor="line"
    )
    complete_work_order(
        order, quantity=Decimal("8"), scrap_quantity=Decimal("2"), scrap_reason="砂眼", reference="done", actor="line"
    )
    # then: o-rings were backflushed, 8 valves at 10 + 1 + 4 + 6 = 21.00, 4 offcuts
    order.refresh_from_db()
    assert order.state == WorkOrderState.COMPLETED and order.completed_quantity == 8 and order.scrapped_quantity == 2
    assert (on_hand(body, plant), on_hand(stem, plant), on_hand(ring, plant)) == (Decimal("90"), Decimal("90"), Decimal("80"))
    assert on_hand(valve, plant) == Decimal("8") and on_hand(offcut, plant) == Decimal("4")
    assert ItemValuation.objects.get(item=valve).average_cost == Decimal("21.000000")
    assert WorkOrderScrap.objects.get(work_order=order).reason == "砂眼"
    assert order.operations.get().actual_minutes == Decimal("130")
    timeline, reason = work_order_timeline(order)
    assert [step.state for step in timeline.steps] == ["draft", "released", "in_progress", "completed"] and reason == ""


def test_backflush_work_orders_need_the_stock_at_completion():
    plant = make_stock_location("WH-WO4")
    valve, body, _ring, _stem, _offcut = _valve()
    receive(body, plant, 5)
    order = create_work_order(
        valve.pk, Decimal("10"), source=plant, destination=plant, actor="planner", issue_method=IssueMethod.BACKFLUSH
    )
    release_work_order(order, actor="planner")
    with pytest.raises(InsufficientStock):
        complete_work_order(order, quantity=Decimal("10"), reference="bf", actor="line")
    order.refresh_from_db()
    assert order.completed_quantity == 0 and on_hand(body, plant) == Decimal("5")


def test_a_phantom_cannot_be_built_on_its_own_and_its_parts_land_on_the_parent_order():
    plant = make_stock_location("WH-WO5")
    screw = make_part("WP-SCREW")
    kit = make_part("WP-KIT", make=True)
    release_bom(kit, [(screw, 4)], phantom=True)
    frame = make_part("WP-FRAME", make=True)
    release_bom(frame, [(kit, 2)])
    order = create_work_order(frame.pk, Decimal("3"), source=plant, destination=plant, actor="planner")
    assert [(c.item_id, c.required_quantity) for c in order.components.all()] == [(screw.pk, Decimal("24.0000"))]
    with pytest.raises(NoReleasedBom) as refused:
        create_work_order(kit.pk, Decimal("1"), source=plant, destination=plant, actor="planner")
    assert "WP-KIT" in str(refused.value) and "虚拟件" in str(refused.value)
