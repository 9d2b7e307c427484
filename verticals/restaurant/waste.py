"""Waste records (报损单): their own document, posted from the outlet's stock to the loss location."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.catalog.exceptions import UnknownUnit as CatalogUnknownUnit
from core.catalog.models import Item
from core.catalog.services import to_base_quantity
from core.inventory.models import StockMove
from core.inventory.services import MoveLine, post_moves
from verticals.restaurant import events
from verticals.restaurant.exceptions import InvalidQuantity, UnknownItem, UnknownUnit
from verticals.restaurant.models import WASTE_DOCUMENT_TYPE, WasteReason, WasteRecord
from verticals.restaurant.services import _decimal, loss_location, outlet_by_id

DOCUMENT_TYPE = WASTE_DOCUMENT_TYPE
MAX_PHOTO_BYTES = 5 * 1024 * 1024


@transaction.atomic
def record_waste(
    *,
    outlet_id: int,
    item_id: int,
    quantity: Decimal | str,
    reason: str,
    actor: str,
    unit: str | None = None,
    note: str = "",
    lot_id: int | None = None,
    photo: UploadedFile | None = None,
    storage_temp_c: Decimal | None = None,
    hours_since_prep: Decimal | None = None,
    client_key: str = "",
) -> WasteRecord:
    """Write off `quantity` (in `unit`, default the base unit) of an item at the outlet.

    `client_key` (a form token or the caller's id for the record) makes a retried submit a no-op. The move
    follows the tenant's negative-stock policy like any posting (InsufficientStock when refused)."""
    key = f"restaurant.waste:{client_key or uuid.uuid4().hex}"
    existing = WasteRecord.objects.filter(posting_key=key).first()
    if existing is not None:
        return existing
    outlet = outlet_by_id(outlet_id)
    item = Item.objects.select_related("base_unit").filter(pk=item_id).first()
    if item is None:
        raise UnknownItem(_("No item with id %(id)s.") % {"id": item_id})
    if reason not in WasteReason.values:
        raise InvalidQuantity(_("Choose a reason for the waste."), field="reason")
    amount = _decimal(quantity, "quantity")
    try:
        base = to_base_quantity(item, amount, unit).quantize(Decimal("0.0001"))
    except CatalogUnknownUnit as error:
        raise UnknownUnit(_("Item %(sku)s has no conversion from %(unit)s.") % {"sku": item.sku, "unit": unit}) from error
    if base <= 0:
        raise InvalidQuantity(_("Enter a positive number."))
    if photo is not None and photo.size and photo.size > MAX_PHOTO_BYTES:
        raise InvalidQuantity(_("The photo is larger than 5 MB."), field="photo")
    record = WasteRecord(
        outlet=outlet,
        item=item,
        lot_id=lot_id,
        quantity=base,
        reason=reason,
        note=note.strip()[:300],
        storage_temp_c=storage_temp_c,
        hours_since_prep=hours_since_prep,
        posting_key=key,
        recorded_by=actor[:200],
        recorded_at=timezone.now(),
    )
    record.save()
    posting = post_moves(
        [
            MoveLine(
                item_id=item.pk,
                from_location_id=outlet.stock_location_id,
                to_location_id=loss_location().pk,
                quantity=base,
                lot_id=lot_id,
            )
        ],
        idempotency_key=key,
        document_type=DOCUMENT_TYPE,
        document_id=record.pk,
        actor=actor,
        reason=reason,
    )
    moved = StockMove.objects.filter(posting=posting).values_list("unit_cost", "value")
    record.value = sum((value for _cost, value in moved), Decimal(0))
    record.unit_cost = (record.value / base).quantize(Decimal("0.000001"))
    if photo is not None:
        record.photo.save(f"{record.pk}-{photo.name}", photo, save=False)
    record.save(update_fields=["value", "unit_cost", "photo"])
    events.waste_recorded(record)
    return record
