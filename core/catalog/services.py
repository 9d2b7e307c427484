"""Catalog state changes: items, categories, units and conversions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.catalog.exceptions import CategoryCycle, ConversionLoop, DuplicateSku, DuplicateUnit, UnitInUse, UnknownUnit
from core.catalog.models import Category, Item, Unit, UnitConversion
from core.input_limits import MAX_QUANTITY, checked_days, checked_decimal

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
    # Range limits first: a shelf life of 2^31-1 days would be stored, then break every receipt's expiry date.
    if fields.get("shelf_life_days") is not None:
        checked_days(fields["shelf_life_days"], "shelfLifeDays", minimum=1)
    for name, camel in (("pack_size", "packSize"), ("moq", "moq")):
        if fields.get(name) is not None:
            checked_decimal(fields[name], camel, maximum=MAX_QUANTITY, minimum=Decimal(0))
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


@transaction.atomic
def create_unit(code: str, name: str) -> Unit:
    unit = Unit(code=code.strip(), name=name.strip() or code.strip())
    unit.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            unit.save()
    except IntegrityError as error:
        raise DuplicateUnit(_("The unit code “%(code)s” is already in use.") % {"code": unit.code}) from error
    return unit


@transaction.atomic
def update_unit(unit_id: int, *, code: str, name: str) -> Unit:
    unit = Unit.objects.select_for_update().get(pk=unit_id)
    unit.code, unit.name = code.strip(), name.strip() or code.strip()
    unit.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            unit.save()
    except IntegrityError as error:
        raise DuplicateUnit(_("The unit code “%(code)s” is already in use.") % {"code": unit.code}) from error
    return unit


@transaction.atomic
def archive_unit(unit_id: int) -> Unit:
    """Hide the unit from new forms; refused while an active item counts its stock in it."""
    unit = Unit.objects.select_for_update().get(pk=unit_id)
    if Item.objects.filter(base_unit=unit, active=True).exists():
        raise UnitInUse(_("Active items count their stock in “%(code)s”; archive or change them first.") % {"code": unit.code})
    unit.active = False
    unit.save(update_fields=["active"])
    return unit


@transaction.atomic
def set_unit_conversion(item_id: int, unit_id: int, factor: Decimal, to_unit_id: int | None = None) -> UnitConversion:
    """1 `unit` = `factor` `to_unit` for this item (to_unit defaults to the base unit).

    Conversions are stored against the base unit, so `to_unit` must be the base unit or a unit the item
    already converts; a chain that comes back to `unit` (a → b → a) or converts the base unit is refused.
    """
    if factor <= 0:
        raise ValidationError({"factor": _("The factor must be positive.")})
    item = Item.objects.select_for_update().get(pk=item_id)
    if unit_id == item.base_unit_id:
        raise ConversionLoop(_("The base unit is what the others convert to; it needs no conversion."))
    target = to_unit_id or item.base_unit_id
    if target == unit_id:
        raise ConversionLoop(_("A unit cannot convert into itself."), field="to_unit")
    to_base = Decimal(1)
    if target != item.base_unit_id:
        found = UnitConversion.objects.filter(item=item, unit_id=target).values_list("factor", flat=True).first()
        if found is None:
            raise UnknownUnit(_("Define the conversion of that unit to the base unit first."), field="to_unit")
        to_base = found
        if _chain_reaches(item, target, unit_id):
            raise ConversionLoop(_("This conversion leads back to its own unit."), field="to_unit")
    conversion, _created = UnitConversion.objects.update_or_create(
        item_id=item_id,
        unit_id=unit_id,
        defaults={"factor": factor * to_base, "via_unit_id": None if target == item.base_unit_id else target},
    )
    return conversion


def _chain_reaches(item: Item, start_unit_id: int, unit_id: int) -> bool:
    """Whether the units `start_unit_id` was entered through lead to `unit_id` (a → b → a)."""
    via = dict(UnitConversion.objects.filter(item=item).values_list("unit_id", "via_unit_id"))
    seen: set[int] = set()
    current: int | None = start_unit_id
    while current is not None and current not in seen:
        if current == unit_id:
            return True
        seen.add(current)
        current = via.get(current)
    return False


def remove_unit_conversion(conversion_id: int) -> None:
    UnitConversion.objects.filter(pk=conversion_id).delete()
