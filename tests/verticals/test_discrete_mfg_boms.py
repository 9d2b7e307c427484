"""Versioned BOMs, ECOs and the BOM-change impact report, on real schemas."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from core.catalog.models import UnitConversion
from core.catalog.services import get_or_create_unit
from core.inventory.factories import make_stock_location, receive
from core.partners.services import create_customer, create_supplier
from core.purchasing.services import OrderLineInput, create_purchase_order, submit_purchase_order
from core.sales.services import SalesLineInput, confirm_sales_order, create_sales_order
from verticals.discrete_mfg import boms, structure
from verticals.discrete_mfg.exceptions import BomCycle, BomNotEditable, LockedVersion, MissingUnitConversion, StaleBaseVersion
from verticals.discrete_mfg.factories import draft_bom, make_part, release_bom
from verticals.discrete_mfg.impact import eco_impact
from verticals.discrete_mfg.models import BomState, BomVersion, EcoState, SalesOrderPromise, WorkCentre
from verticals.discrete_mfg.work_orders import IssueLine, create_work_order, issue_materials, release_work_order

pytestmark = pytest.mark.usefixtures("in_alpha")


def test_an_eco_releases_a_new_version_and_supersedes_the_old_with_a_diff():
    # given: a pump released at v1
    housing, rotor, seal = make_part("P-HOUS"), make_part("P-ROT"), make_part("P-SEAL")
    pump = make_part("FG-PUMP", make=True)
    v1 = release_bom(pump, [(housing, 1), (rotor, 1), (seal, 2)])
    # when: an ECO doubles the rotor, drops the seal and adds a gasket
    gasket = make_part("P-GASK")
    eco = boms.create_eco(pump.pk, title="换密封方案", actor="eng")
    lines = {line.component_id: line for line in eco.new_version.lines.all()}
    boms.update_bom_line(lines[rotor.pk].pk, quantity=Decimal("2"))
    boms.remove_bom_line(lines[seal.pk].pk)
    boms.add_bom_line(
        eco.new_version_id, boms.LineInput(component_id=gasket.pk, quantity=Decimal("1"), scrap_percent=Decimal("5"))
    )
    diff = {(c.sku, c.change) for c in boms.diff_versions(v1, eco.new_version)}
    boms.submit_eco(eco, actor="eng")
    boms.release_eco(eco, actor="mgr")
    # then
    assert diff == {("P-ROT", "changed"), ("P-SEAL", "removed"), ("P-GASK", "added")}
    v1.refresh_from_db()
    eco.refresh_from_db()
    assert v1.state == BomState.SUPERSEDED and v1.effective_to == timezone.localdate()
    assert eco.state == EcoState.RELEASED and eco.new_version.state == BomState.RELEASED
    assert structure.released_version_id(pump.pk) == eco.new_version_id


def test_a_released_or_reviewed_version_cannot_be_edited():
    part, assembly = make_part("E-PART"), make_part("E-ASM", make=True)
    released = release_bom(assembly, [(part, 1)])
    with pytest.raises(BomNotEditable):
        boms.add_bom_line(released.pk, boms.LineInput(component_id=part.pk, quantity=Decimal("1")))
    eco = draft_bom(assembly, [(part, 3)])
    boms.submit_eco(eco, actor="eng")
    with pytest.raises(BomNotEditable):
        boms.add_bom_line(eco.new_version_id, boms.LineInput(component_id=part.pk, quantity=Decimal("1")))


def test_a_cycle_is_refused_with_the_path_that_closes_it():
    # given: A ⊃ B ⊃ C
    c = make_part("CY-C")
    b = make_part("CY-B", make=True)
    a = make_part("CY-A", make=True)
    release_bom(b, [(c, 1)])
    release_bom(a, [(b, 1)])
    c_eco = boms.create_eco(c.pk, title="C 改为组件", actor="eng")
    # when / then: putting A under C closes C → A → B → C
    with pytest.raises(BomCycle) as refused:
        boms.add_bom_line(c_eco.new_version_id, boms.LineInput(component_id=a.pk, quantity=Decimal("1")))
    assert refused.value.path == ["CY-C", "CY-A", "CY-B", "CY-C"]
    assert "CY-C → CY-A → CY-B → CY-C" in str(refused.value)
    # and a part cannot contain itself
    with pytest.raises(BomCycle):
        boms.add_bom_line(c_eco.new_version_id, boms.LineInput(component_id=c.pk, quantity=Decimal("1")))
    # while a harmless line goes in
    boms.add_bom_line(c_eco.new_version_id, boms.LineInput(component_id=make_part("CY-D").pk, quantity=Decimal("1")))


def test_releasing_over_a_locked_version_is_refused_and_so_is_a_stale_base():
    part, assembly = make_part("L-PART"), make_part("L-ASM", make=True)
    v1 = release_bom(assembly, [(part, 1)])
    boms.lock_version(v1.pk)
    eco = draft_bom(assembly, [(part, 2)])
    boms.submit_eco(eco, actor="eng")
    with pytest.raises(LockedVersion):
        boms.release_eco(eco, actor="mgr")
    eco.refresh_from_db()
    assert eco.state == EcoState.REVIEW and BomVersion.objects.get(pk=v1.pk).state == BomState.RELEASED
    # unlocked, a second ECO drafted from v1 goes first; the first is then stale
    boms.lock_version(v1.pk, locked=False)
    other = draft_bom(assembly, [(part, 4)])
    boms.submit_eco(other, actor="eng")
    boms.release_eco(other, actor="mgr")
    with pytest.raises(StaleBaseVersion):
        boms.release_eco(eco, actor="mgr")


def test_a_line_in_a_unit_the_part_cannot_convert_is_refused_naming_it():
    part, assembly = make_part("U-WIRE"), make_part("U-ASM", make=True)
    metre = get_or_create_unit("m", "米")
    eco = boms.create_eco(assembly.pk, title="线缆", actor="eng")
    with pytest.raises(MissingUnitConversion) as refused:
        boms.add_bom_line(eco.new_version_id, boms.LineInput(component_id=part.pk, quantity=Decimal("2"), unit_id=metre.pk))
    assert refused.value.sku == "U-WIRE"
    UnitConversion.objects.create(item=part, unit=metre, factor=Decimal("10"))
    line = boms.add_bom_line(eco.new_version_id, boms.LineInput(component_id=part.pk, quantity=Decimal("2"), unit_id=metre.pk))
    assert line.unit_id == metre.pk


def test_cost_roll_up_counts_scrap_units_and_routing():
    # given: an assembly of 2 bolts (5% scrap) at 1.00 and a shaft at 20, 6 minutes on a 60/h line
    bolt, shaft = make_part("R-BOLT", cost="1"), make_part("R-SHAFT", cost="20")
    assembly = make_part("R-ASM", make=True)
    eco = draft_bom(assembly, [(bolt, 2, 5), (shaft, 1)])
    line = WorkCentre.objects.create(code="WC-1", name="装配线", hourly_rate=Decimal("60"))
    boms.add_operation(eco.new_version_id, sequence=10, work_centre_id=line.pk, run_minutes=Decimal("6"))
    boms.submit_eco(eco, actor="eng")
    boms.release_eco(eco, actor="mgr")
    top = make_part("R-TOP", make=True)
    release_bom(top, [(assembly, 3)])
    # when
    costs = structure.rolled_up_costs([top.pk], on=timezone.localdate())
    # then: 2 × 1.05 × 1 + 20 + 6/60 × 60 = 28.10; the top holds three
    assert costs[assembly.pk] == Decimal("28.100000")
    assert costs[top.pk] == Decimal("84.300000")


def test_the_impact_of_a_draft_eco_reaches_work_orders_orders_stock_promises_costs_and_every_parent():
    # given: a motor used in a pump, the pump in a skid (three levels), with live orders around it
    today = timezone.localdate()
    plant = make_stock_location("WH-IMP")
    winding, old_bearing, new_bearing = (
        make_part("I-WIND", cost="30"),
        make_part("I-BRG", cost="8"),
        make_part("I-BRG2", cost="12", lead_time_days=30),
    )
    motor = make_part("I-MOTOR", make=True, lead_time_days=2)
    pump = make_part("I-PUMP", make=True, lead_time_days=3)
    skid = make_part("I-SKID", make=True, lead_time_days=1)
    release_bom(motor, [(winding, 1), (old_bearing, 2)])
    release_bom(pump, [(motor, 1)])
    release_bom(skid, [(pump, 2)])
    receive(old_bearing, plant, 50, unit_cost="8")
    receive(winding, plant, 10, unit_cost="30")
    work_order = create_work_order(motor.pk, Decimal("5"), source=plant, destination=plant, actor="planner")
    release_work_order(work_order, actor="planner")
    issue_materials(work_order, [IssueLine(old_bearing.pk, Decimal("10"))], reference="pick-1", actor="line")
    supplier = create_supplier(code="S-BRG", name="轴承厂")
    po = create_purchase_order(
        supplier=supplier, destination=plant, lines=[OrderLineInput(old_bearing.pk, Decimal("100"), Decimal("8"))], actor="buyer"
    )
    submit_purchase_order(po, actor="buyer")
    customer = create_customer(code="C-1", name="水务公司")
    order = create_sales_order(customer=customer, source=plant, lines=[SalesLineInput(skid.pk, Decimal("1"))], actor="sales")
    confirm_sales_order(order, actor="sales")
    SalesOrderPromise.objects.create(sales_order=order, promised_on=today + timedelta(days=20))
    # when: a draft ECO replaces the bearing with a dearer, slower one
    eco = boms.create_eco(motor.pk, title="换轴承", actor="eng")
    lines = {line.component_id: line for line in eco.new_version.lines.all()}
    boms.remove_bom_line(lines[old_bearing.pk].pk)
    boms.add_bom_line(eco.new_version_id, boms.LineInput(component_id=new_bearing.pk, quantity=Decimal("2")))
    impact = eco_impact(eco)
    # then
    assert [(p.sku, p.level) for p in impact.parents] == [("I-PUMP", 1), ("I-SKID", 2)]
    assert impact.cost_before == Decimal("46.000000") and impact.cost_after == Decimal("54.000000")
    skid_costs = {p.sku: (p.cost_before, p.cost_after) for p in impact.parents}
    assert skid_costs["I-SKID"] == (Decimal("92.000000"), Decimal("108.000000"))
    assert [(w.number, [(i["sku"], i["issued"]) for i in w.issued]) for w in impact.work_orders] == [
        (work_order.number, [("I-BRG", Decimal("10.0000"))])
    ]
    assert [(p.number, p.sku, p.open_quantity, p.still_used_elsewhere) for p in impact.purchase_orders] == [
        (po.number, "I-BRG", Decimal("100.0000000000"), False)
    ]
    assert [(s.sku, s.on_hand, s.value) for s in impact.idle_stock] == [("I-BRG", Decimal("40.0000"), Decimal("320.00"))]
    assert impact.idle_value == Decimal("320.00")
    # the bearing's 30-day lead time now drives the skid: 1 + 3 + 2 + 30 against 1 + 3 + 2 + 7
    assert [(s.number, s.days, s.new_promise) for s in impact.sales_orders] == [(order.number, 23, today + timedelta(days=43))]
    assert impact.summary()["open_work_orders"] == 1


def test_where_used_answers_every_level_in_one_query(django_assert_max_num_queries):
    screw = make_part("W-SCREW")
    level1 = [make_part(f"W-A{i}", make=True) for i in range(3)]
    for assembly in level1:
        release_bom(assembly, [(screw, 4)])
    top = make_part("W-TOP", make=True)
    release_bom(top, [(level1[0], 1), (level1[1], 1)])
    with django_assert_max_num_queries(1):
        used = structure.where_used(screw.pk, on=timezone.localdate())
    assert used == {level1[0].pk: 1, level1[1].pk: 1, level1[2].pk: 1, top.pk: 2}
