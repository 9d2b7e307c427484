"""Small builders shared by tests, benchmarks and demo data: items, locations and opening stock."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from core.catalog.models import Item
from core.catalog.services import create_item, get_or_create_unit
from core.inventory.models import Posting
from core.inventory.services import MoveLine, post_moves
from core.locations.models import Location, LocationKind
from core.locations.services import create_warehouse, get_virtual_location, stock_location_of


def make_item(sku: str | None = None, **fields: Any) -> Item:
    unit = get_or_create_unit("pcs", "件")
    sku = sku or f"SKU-{uuid.uuid4().hex[:8]}"
    fields.setdefault("name_zh", f"商品 {sku}")
    return create_item(sku=sku, base_unit_id=unit.pk, **fields)


def make_stock_location(code: str | None = None) -> Location:
    warehouse = create_warehouse(code or f"WH-{uuid.uuid4().hex[:6]}", "仓库")
    return stock_location_of(warehouse)


def receive(
    item: Item,
    location: Location,
    quantity: Decimal | int | str,
    *,
    unit_cost: Decimal | int | str = "10",
    lot_code: str | None = None,
    expiry_date: date | None = None,
    key: str | None = None,
    **options: Any,
) -> Posting:
    """Post a receipt from the supplier location."""
    supplier = get_virtual_location(LocationKind.SUPPLIER)
    line = MoveLine(
        item_id=item.pk,
        from_location_id=supplier.pk,
        to_location_id=location.pk,
        quantity=Decimal(str(quantity)),
        lot_code=lot_code,
        expiry_date=expiry_date,
        unit_cost=Decimal(str(unit_cost)),
    )
    return post_moves([line], idempotency_key=key or f"receipt:{uuid.uuid4().hex}", document_type="receipt", **options)


def issue(item: Item, location: Location, quantity: Decimal | int | str, *, key: str | None = None, **options: Any) -> Posting:
    """Post an issue to the customer location."""
    customer = get_virtual_location(LocationKind.CUSTOMER)
    line = MoveLine(item_id=item.pk, from_location_id=location.pk, to_location_id=customer.pk, quantity=Decimal(str(quantity)))
    return post_moves([line], idempotency_key=key or f"issue:{uuid.uuid4().hex}", document_type="shipment", **options)
