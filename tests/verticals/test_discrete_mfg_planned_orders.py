"""The MRP workbench's firm and release actions: a planned order becomes a real purchase or work order once,
firmed supply is kept by later runs, and closed proposals are refused with a typed error."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from core.inventory.factories import make_stock_location
from core.partners.services import create_customer, create_supplier
from core.purchasing.models import PurchaseOrder
from core.sales.services import SalesLineInput, confirm_sales_order, create_sales_order
from verticals.discrete_mfg.exceptions import NoSupplier, PlannedOrderClosed
from verticals.discrete_mfg.factories import make_part, release_bom
from verticals.discrete_mfg.models import MfgItem, PlannedOrder, SalesOrderPromise, WorkOrder
from verticals.discrete_mfg.mrp import flag_cancelled_sales_order, run_mrp
from verticals.discrete_mfg.planned_orders import firm_planned_order, release_planned_order

D = Decimal


def _plant_with_demand(prefix: str):
    """A pump (make, 2 d) of 4 bolts (buy, 5 d); 10 pumps promised in 20 days."""
    plant = make_stock_location(f"WH-{prefix}")
    bolt = make_part(f"{prefix}-BOLT", lead_time_days=5, cost="1.5")
    pump = make_part(f"{prefix}-PUMP", make=True, lead_time_days=2)
    release_bom(pump, [(bolt, 4)])
    order = create_sales_order(
        customer=create_customer(code=f"C-{prefix}", name="客户"), source=plant, lines=[SalesLineInput(pump.pk, D(10))], actor="s"
    )
    confirm_sales_order(order, actor="s")
    SalesOrderPromise.objects.create(sales_order=order, promised_on=timezone.localdate() + timedelta(days=20))
    return plant, pump, bolt, order


def _planned(run, item):
    return PlannedOrder.objects.get(run=run, item=item)


@pytest.mark.usefixtures("in_alpha")
def test_releasing_planned_orders_makes_one_work_order_and_one_purchase_order_that_the_next_run_counts():
    # given
    today = timezone.localdate()
    plant, pump, bolt, _order = _plant_with_demand("PR1")
    first = run_mrp(plant.pk, actor="planner").run
    make, buy = _planned(first, pump), _planned(first, bolt)
    # when: the planner releases the planned work order, twice
    released = release_planned_order(make.pk, actor="planner")
    again = release_planned_order(make.pk, actor="planner")
    # then: one draft work order, due when the planned order was, linked both ways
    work_order = WorkOrder.objects.get(planned_order=make)
    assert released.created and not again.created and again.document_id == released.document_id == work_order.pk
    assert (work_order.quantity, work_order.due_date, work_order.state) == (D(10), today + timedelta(days=20), "draft")
    assert again.number == work_order.number
    # a bought part without a supplier is refused in words, and nothing is written
    with pytest.raises(NoSupplier) as refused:
        release_planned_order(buy.pk, actor="planner")
    assert "PR1-BOLT" in str(refused.value)
    assert not PurchaseOrder.objects.filter(lines__item=bolt).exists()
    buy.refresh_from_db()
    assert buy.released_document_id is None and not buy.firmed
    # with a supplier it becomes a draft purchase order at the standard cost, expected on the due date
    MfgItem.objects.filter(item=bolt).update(supplier=create_supplier(code="S-PR1", name="紧固件厂"))
    bought = release_planned_order(buy.pk, actor="planner")
    po = PurchaseOrder.objects.get(pk=bought.document_id)
    line = po.lines.get()
    assert (line.item_id, line.quantity, line.unit_price, po.expected_date) == (bolt.pk, D(40), D("1.5"), buy.due_on)
    # the next day's run counts the work order and the draft purchase as supply: nothing planned again
    second = run_mrp(plant.pk, actor="planner", today=today + timedelta(days=1)).run
    assert not PlannedOrder.objects.filter(run=second).exists()


@pytest.mark.usefixtures("in_alpha")
def test_a_firmed_planned_order_is_supply_for_later_runs_and_an_unfirmed_one_from_an_older_run_is_refused():
    today = timezone.localdate()
    plant, pump, bolt, _order = _plant_with_demand("PR2")
    first = run_mrp(plant.pk, actor="planner").run
    firmed = firm_planned_order(_planned(first, pump).pk, actor="planner")
    assert firm_planned_order(firmed.pk, actor="planner").firmed  # idempotent
    # when: MRP runs again the next day
    second = run_mrp(plant.pk, actor="planner", today=today + timedelta(days=1)).run
    # then: the firmed pump covers the demand; its bolts are still needed and planned from the new run only
    assert not PlannedOrder.objects.filter(run=second, item=pump).exists()
    stale_bolt = _planned(first, bolt)
    with pytest.raises(PlannedOrderClosed):
        release_planned_order(stale_bolt.pk, actor="planner")
    # the firmed order of the older run can still be released
    assert release_planned_order(firmed.pk, actor="planner").document_type == "work_order"


@pytest.mark.usefixtures("in_alpha")
def test_a_planned_order_flagged_by_a_cancelled_sale_cannot_be_firmed_or_released():
    plant, pump, _bolt, order = _plant_with_demand("PR3")
    run = run_mrp(plant.pk, actor="planner").run
    flag_cancelled_sales_order(order.pk)
    make = _planned(run, pump)
    for action in (firm_planned_order, release_planned_order):
        with pytest.raises(PlannedOrderClosed):
            action(make.pk, actor="planner")
    assert not WorkOrder.objects.filter(planned_order=make).exists()


def test_the_workbench_buttons_firm_and_release(alpha, module_status):
    from django_tenants.utils import schema_context

    module_status(alpha, "discrete_mfg", "active")
    with schema_context(alpha.schema):
        plant, pump, bolt, _order = _plant_with_demand("PR4")
        run = run_mrp(plant.pk, actor="planner").run
        make, buy = _planned(run, pump), _planned(run, bolt)
    client = alpha.client()
    page = client.get("/discrete_mfg/mrp/").content.decode()
    assert f"/discrete_mfg/mrp/planned/{make.pk}/" in page and "下达" in page
    firmed = client.post(f"/discrete_mfg/mrp/planned/{buy.pk}/", {"action": "firm"})
    assert firmed.status_code == 302
    released = client.post(f"/discrete_mfg/mrp/planned/{make.pk}/", {"action": "release"})
    with schema_context(alpha.schema):
        work_order = WorkOrder.objects.get(planned_order=make)
        assert PlannedOrder.objects.get(pk=buy.pk).firmed
    assert released.status_code == 302 and released["Location"].endswith(f"/discrete_mfg/work-orders/{work_order.pk}/")
    refused = client.post(f"/discrete_mfg/mrp/planned/{buy.pk}/", {"action": "release"}, follow=True)
    assert refused.status_code == 200 and "PR4-BOLT" in refused.content.decode()  # no supplier: said in words
