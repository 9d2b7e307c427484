"""Demo data for discrete manufacturing: a small pump maker (泵业) with a four-level BOM.

离心泵 CP-50 (level 0) ⊃ 泵头组件 (1) ⊃ 叶轮组件 (2) ⊃ 叶轮 / 轴 (3); plus an electric motor bought in, a phantom
fastener kit, two work centres with standard times, stock for some parts, an open work order, a customer order
with a promise date and a draft ECO that swaps the mechanical seal, so the impact page has something to show.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from core.catalog.models import Item
from core.inventory.factories import receive
from core.locations.models import Location, LocationKind
from core.locations.services import create_warehouse, stock_location_of
from core.partners.models import Customer
from core.partners.services import create_customer
from core.sales.services import SalesLineInput, confirm_sales_order, create_sales_order
from verticals.discrete_mfg import boms
from verticals.discrete_mfg.factories import draft_bom, make_part, release_bom
from verticals.discrete_mfg.models import MfgItem, SalesOrderPromise, WorkCentre
from verticals.discrete_mfg.work_orders import create_work_order, release_work_order

PLANT = "PLANT-PUMP"


def build_pump_demo() -> None:
    """Safe to run twice: the second run finds the pump and does nothing."""
    if Item.objects.filter(sku="CP-50").exists():
        return
    plant = Location.objects.filter(code=f"{PLANT}/stock", kind=LocationKind.INTERNAL).first() or stock_location_of(
        create_warehouse(PLANT, "泵业总装厂")
    )
    parts = {
        sku: make_part(sku, name_zh=name, cost=cost, lead_time_days=lead)
        for sku, name, cost, lead in (
            ("IMP-CAST", "叶轮铸件", "38", 21),
            ("SHAFT-BAR", "不锈钢轴料", "22", 10),
            ("SEAL-M", "机械密封 M 型", "45", 14),
            ("SEAL-K", "机械密封 K 型", "52", 28),
            ("CASING", "泵壳", "120", 25),
            ("BOLT-M8", "M8 螺栓", "0.6", 5),
            ("WASHER-8", "8 号垫圈", "0.1", 5),
            ("MOTOR-4KW", "4kW 电机", "680", 30),
        )
    }
    impeller = make_part("IMP-ASM", name_zh="叶轮组件", make=True, lead_time_days=2)
    head = make_part("HEAD-ASM", name_zh="泵头组件", make=True, lead_time_days=3)
    kit = make_part("KIT-FAST", name_zh="紧固件包（虚拟件）", make=True, lead_time_days=0)
    pump = make_part("CP-50", name_zh="离心泵 CP-50", make=True, lead_time_days=2)
    machining = WorkCentre.objects.create(code="WC-MACH", name="机加工", hourly_rate=Decimal("90"))
    assembly = WorkCentre.objects.create(code="WC-ASSY", name="总装线", hourly_rate=Decimal("60"))
    release_bom(kit, [(parts["BOLT-M8"], 8), (parts["WASHER-8"], 8)], phantom=True, title="紧固件包")
    eco = draft_bom(impeller, [(parts["IMP-CAST"], 1, 3), (parts["SHAFT-BAR"], 1)], title="叶轮组件首版")
    boms.add_operation(
        eco.new_version_id, sequence=10, work_centre_id=machining.pk, run_minutes=Decimal("18"), setup_minutes=Decimal("30")
    )
    boms.submit_eco(eco, actor="demo")
    boms.release_eco(eco, actor="demo")
    release_bom(head, [(impeller, 1), (parts["SEAL-M"], 1), (parts["CASING"], 1), (kit, 1)], title="泵头组件首版")
    eco = draft_bom(pump, [(head, 1), (parts["MOTOR-4KW"], 1), (kit, 1)], title="CP-50 首版")
    boms.add_operation(eco.new_version_id, sequence=10, work_centre_id=assembly.pk, run_minutes=Decimal("35"))
    boms.submit_eco(eco, actor="demo")
    boms.release_eco(eco, actor="demo")
    for sku, quantity in (
        ("IMP-CAST", 40),
        ("SHAFT-BAR", 60),
        ("SEAL-M", 120),
        ("CASING", 15),
        ("BOLT-M8", 2000),
        ("WASHER-8", 2000),
    ):
        receive(parts[sku], plant, quantity, unit_cost=MfgItem.objects.get(item=parts[sku]).standard_cost)
    order = create_work_order(
        head.pk, Decimal("10"), source=plant, destination=plant, actor="demo", due_date=timezone.localdate() + timedelta(days=7)
    )
    release_work_order(order, actor="demo")
    customer = Customer.objects.filter(code="C-PUMP").first() or create_customer(code="C-PUMP", name="市政水务集团")
    sale = create_sales_order(
        customer=customer, source=plant, lines=[SalesLineInput(pump.pk, Decimal("20"), Decimal("2600"))], actor="demo"
    )
    confirm_sales_order(sale, actor="demo")
    SalesOrderPromise.objects.create(sales_order=sale, promised_on=timezone.localdate() + timedelta(days=45))
    change = boms.create_eco(head.pk, title="机械密封 M 型换 K 型", reason="客户要求更长寿命", actor="demo")
    seal = change.new_version.lines.get(component=parts["SEAL-M"])
    boms.remove_bom_line(seal.pk)
    boms.add_bom_line(change.new_version_id, boms.LineInput(component_id=parts["SEAL-K"].pk, quantity=Decimal("1")))
