"""Catalog state changes: items, categories, units and conversions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from core.catalog.exceptions import CategoryCycle, DuplicateSku, UnknownUnit
from core.catalog.models import Category, Item, Unit, UnitConversion

ITEM_FIELDS = frozenset(
    {
        "sku",
        "name_zh",
        "name_en",
        "barcodes",
        "category_id",
        "base_unit_id",
        "lot_tracked",
        "shelf_life_days",
        "cost_method",
        "removal_strategy",
        "pack_size",
        "moq",
        "abc_class",
        "xyz_class",
        "active",
    }
)


def to_base_quantity(item: Item, quantity: Decimal, unit: Unit | int | str | None = None) -> Decimal:
    """Convert `quantity` expressed in `unit` (a Unit, its pk or its code) to the item's base unit."""
    if unit is None:
        return Decimal(quantity)
    if isinstance(unit, Unit):
        unit_id, unit_code = unit.pk, unit.code
    elif isinstance(unit, int):
        unit_id, unit_code = unit, None
    else:
        unit_id, unit_code = None, unit
    if unit_id == item.base_unit_id or (unit_code is not None and unit_code == item.base_unit.code):
        return Decimal(quantity)
    conversions = UnitConversion.objects.filter(item=item)
    conversion = (
        conversions.filter(unit_id=unit_id).first() if unit_id is not None else conversions.filter(unit__code=unit_code).first()
    )
    if conversion is None:
        raise UnknownUnit(f"Item {item.sku} has no conversion from unit {unit_code or unit_id}.", field="unit")
    return Decimal(quantity) * conversion.factor


def unit_factor(item: Item, unit_id: int | None) -> tuple[int, Decimal]:
    """(unit id, base units per unit) for an order line in `unit_id`; None means the base unit."""
    if unit_id is None or unit_id == item.base_unit_id:
        return item.base_unit_id, Decimal("1")
    factor = UnitConversion.objects.filter(item=item, unit_id=unit_id).values_list("factor", flat=True).first()
    if factor is None:
        raise UnknownUnit(f"Item {item.sku} has no conversion from unit {unit_id}.", field="unit")
    return unit_id, factor


def get_or_create_unit(code: str, name: str = "") -> Unit:
    unit, _ = Unit.objects.get_or_create(code=code, defaults={"name": name or code})
    return unit


def create_category(name: str, parent_id: int | None = None) -> Category:
    return Category.objects.create(name=name, parent_id=parent_id)


@transaction.atomic
def move_category(category_id: int, parent_id: int | None) -> Category:
    category = Category.objects.select_for_update().get(pk=category_id)
    # Walk up from the new parent: finding ourselves means the tree would loop.
    cursor = parent_id
    while cursor is not None:
        if cursor == category.pk:
            raise CategoryCycle("A category cannot sit under itself or its descendants.")
        cursor = Category.objects.filter(pk=cursor).values_list("parent_id", flat=True).first()
    category.parent_id = parent_id
    category.save(update_fields=["parent"])
    return category


def _apply_item_fields(item: Item, fields: dict[str, Any]) -> None:
    unknown = set(fields) - ITEM_FIELDS
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "Unknown field."))
    for name, value in fields.items():
        setattr(item, name, value)
    item.full_clean(exclude=["category", "base_unit"], validate_unique=False)


@transaction.atomic
def create_item(**fields: Any) -> Item:
    """Create an item; `base_unit_id` is required, `sku` must be unique.

    An English tenant names items in English only: `name_zh` (the name every view falls back to) then
    takes the English name, so no Chinese name is demanded."""
    if not (fields.get("name_zh") or "").strip() and (fields.get("name_en") or "").strip():
        fields = {**fields, "name_zh": fields["name_en"]}
    item = Item()
    _apply_item_fields(item, fields)
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError as error:
        if Item.objects.filter(sku=item.sku).exists():
            raise DuplicateSku(f"SKU {item.sku} already exists.") from error
        raise
    return item


@transaction.atomic
def update_item(item_id: int, **fields: Any) -> Item:
    item = Item.objects.select_for_update().get(pk=item_id)
    _apply_item_fields(item, fields)
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError as error:
        raise DuplicateSku(f"SKU {item.sku} already exists.") from error
    return item


def set_unit_conversion(item_id: int, unit_id: int, factor: Decimal) -> UnitConversion:
    if factor <= 0:
        raise ValidationError({"factor": "The factor must be positive."})
    conversion, _ = UnitConversion.objects.update_or_create(item_id=item_id, unit_id=unit_id, defaults={"factor": factor})
    return conversion
