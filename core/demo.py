"""Demo data for the core module: a small seasoning distributor (调味品批发) with two stores.

Built only through the public services (the CSV importer, then the document services), so the demo
shows exactly what a new tenant would get by doing the same by hand: documents in every interesting
state — awaiting approval, awaiting the supplier, in transit, short of stock — each with its timeline.
"""

from __future__ import annotations

from decimal import Decimal

from core.imports.services import import_file
from core.locations.services import create_store, create_warehouse, stock_location_of
from core.logistics.services import TransferLineInput, create_transfer, ship_transfer
from core.partners.models import Customer, Supplier
from core.purchasing.services import (
    OrderLineInput,
    ReceiptLineInput,
    create_purchase_order,
    receive_purchase_order,
    send_purchase_order,
    submit_purchase_order,
    update_purchasing_settings,
)
from core.sales.services import SalesLineInput, allocate_sales_order, confirm_sales_order, create_sales_order

ACTOR = "demo"

ITEMS = """sku,name_zh,name_en,unit,category,barcodes,lot_tracked,shelf_life_days,removal_strategy,pack_size,moq
SOY-500,生抽酱油 500ml,Light soy sauce 500ml,瓶,调味品,6901234500011,no,,fifo,12,24
VIN-500,香醋 500ml,Aromatic vinegar 500ml,瓶,调味品,6901234500028,no,,fifo,12,24
OIL-5L,花生油 5L,Peanut oil 5L,桶,粮油,6901234500035,yes,365,fefo,4,8
RICE-10,东北大米 10kg,Northeast rice 10kg,袋,粮油,6901234500042,no,,fifo,1,10
CHILI-200,辣椒酱 200g,Chili sauce 200g,瓶,调味品,6901234500059,yes,270,fefo,24,48
SALT-400,食盐 400g,Salt 400g,包,调味品,6901234500066,no,,fifo,40,40
"""

SUPPLIERS = """code,name,lead_time_days,moq,currency
SUP-HD,华东调味品有限公司,5,0,CNY
SUP-NE,东北粮油集团,9,0,CNY
"""

CUSTOMERS = """code,name,tier,credit_limit,address,tags
CUS-AIR,机场便利店,vip,50000,上海浦东国际机场T2 到达层,机场|24h
CUS-WEST,城西社区超市,standard,8000,杭州市西湖区文三路 88 号,社区
"""


def build_core_demo() -> None:
    main = stock_location_of(create_warehouse("WH-SH", "上海总仓", address="上海市闵行区"))
    store_a = stock_location_of(create_store("ST-HZ1", "杭州文三路店", address="杭州市西湖区文三路 88 号"))
    stock_location_of(create_store("ST-HZ2", "杭州滨江店", address="杭州市滨江区江南大道 1 号"))
    for kind, text in (("items", ITEMS), ("suppliers", SUPPLIERS), ("customers", CUSTOMERS)):
        import_file(kind, text.encode(), f"demo-{kind}.csv", actor=ACTOR)
    opening = (
        "sku,location,quantity,unit_cost,lot_code,expiry_date\n"
        "SOY-500,WH-SH/stock,240,8.50,,\n"
        "VIN-500,WH-SH/stock,120,6.80,,\n"
        "OIL-5L,WH-SH/stock,30,78.00,L2026-09,2027-09-01\n"
        "OIL-5L,WH-SH/stock,16,80.00,L2026-11,2027-11-01\n"
        "RICE-10,WH-SH/stock,60,52.00,,\n"
        "CHILI-200,WH-SH/stock,96,5.20,C2026-10,2027-03-15\n"
        "SOY-500,ST-HZ1/stock,18,8.50,,\n"
    )
    import_file("opening_stock", opening.encode(), "demo-opening.csv", actor=ACTOR)
    _demo_documents(main, store_a)
    # The core rule pack last, so the documents above are built as a tenant without rules would build them.
    from core.rules.packs import load_rule_pack

    load_rule_pack("core")


def _demo_documents(main, store_a) -> None:
    from core.catalog.models import Item

    items = {item.sku: item for item in Item.objects.all()}
    east, north = Supplier.objects.get(code="SUP-HD"), Supplier.objects.get(code="SUP-NE")
    update_purchasing_settings(approval_threshold=Decimal("20000"))

    # A large order waiting for a manager (blocking reason: awaiting approval).
    big = create_purchase_order(
        supplier=north,
        destination=main,
        lines=[OrderLineInput(items["RICE-10"].pk, Decimal("400"), Decimal("51.50"))],
        actor=ACTOR,
    )
    submit_purchase_order(big, actor=ACTOR)

    # Sent and partly received: the rest is awaited from the supplier, and counts in inventory position.
    soy = create_purchase_order(
        supplier=east,
        destination=main,
        lines=[
            OrderLineInput(items["SOY-500"].pk, Decimal("240"), Decimal("8.40")),
            OrderLineInput(items["VIN-500"].pk, Decimal("120"), Decimal("6.70")),
        ],
        actor=ACTOR,
    )
    submit_purchase_order(soy, actor=ACTOR)
    send_purchase_order(soy, actor=ACTOR)
    first_line = soy.lines.order_by("pk").first()
    receive_purchase_order(soy, [ReceiptLineInput(first_line.pk, Decimal("120"))], actor=ACTOR, reference="demo-soy-1")

    # Store replenishment on its way (在途): visible in the store's inventory position.
    transfer = create_transfer(
        from_location=main,
        to_location=store_a,
        lines=[TransferLineInput(items["SOY-500"].pk, Decimal("48")), TransferLineInput(items["VIN-500"].pk, Decimal("24"))],
        actor=ACTOR,
    )
    ship_transfer(transfer, actor=ACTOR, carrier="顺丰", tracking_number="SF1234567890")

    # A VIP order larger than the stock: allocated in part, the rest backordered (awaiting stock).
    order = create_sales_order(
        customer=Customer.objects.get(code="CUS-AIR"),
        source=main,
        lines=[SalesLineInput(items["CHILI-200"].pk, Decimal("120"), Decimal("9.90"))],
        actor=ACTOR,
        shipping_address="上海浦东国际机场T2 到达层",
    )
    confirm_sales_order(order, actor=ACTOR)
    allocate_sales_order(order, actor=ACTOR)
