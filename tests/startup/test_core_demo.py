"""The core demo data: a new user's demo tenant shows documents in every interesting state."""

from decimal import Decimal

from core.catalog.models import Item
from core.demo import build_core_demo
from core.events.timeline import order_timeline
from core.inventory.selectors import in_transit_to, inventory_position, on_hand
from core.locations.models import Location
from core.purchasing.models import PurchaseOrder
from core.sales.models import SalesOrder


def test_demo_builds_documents_in_each_state(in_alpha):
    # when
    build_core_demo()
    # then
    main = Location.objects.get(code="WH-SH/stock")
    store = Location.objects.get(code="ST-HZ1/stock")
    soy = Item.objects.get(sku="SOY-500")
    states = set(PurchaseOrder.objects.values_list("state", flat=True))
    assert {"submitted", "partially_received"} <= states
    waiting = PurchaseOrder.objects.get(state="submitted")
    assert order_timeline("purchase_order", waiting.pk).blocking_reason == "awaiting_approval"
    # 240 opening + 120 received − 48 shipped to the store = 312 on hand; 120 more still on order
    assert on_hand(soy.pk, main.pk) == Decimal("312")
    assert inventory_position(soy.pk, main.pk) == Decimal("432")
    assert in_transit_to(soy.pk, store.pk) == Decimal("48")
    order = SalesOrder.objects.get()
    assert order_timeline("sales_order", order.pk).blocking_reason == "awaiting_stock"
