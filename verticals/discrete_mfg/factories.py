"""Small builders shared by the tests, the benchmarks and the demo: parts with a planning profile, and BOMs
released through a real ECO."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from core.catalog.models import Item
from core.inventory.factories import make_item
from verticals.discrete_mfg import boms
from verticals.discrete_mfg.models import BomVersion, EngineeringChange, MakeOrBuy, MfgItem

Component = tuple[Item, Any] | tuple[Item, Any, Any]  # (part, quantity per) or (part, quantity, scrap %)


def make_part(
    sku: str, *, cost: Any = "10", lead_time_days: int = 7, make: bool = False, safety_stock: Any = "0", **fields: Any
) -> Item:
    """An item with its planning profile (buy parts carry their price as the standard cost)."""
    item = make_item(sku, **fields)
    MfgItem.objects.update_or_create(
        item=item,
        defaults={
            "make_or_buy": MakeOrBuy.MAKE if make else MakeOrBuy.BUY,
            "lead_time_days": lead_time_days,
            "standard_cost": Decimal(str(cost)) if not make else Decimal("0"),
            "safety_stock": Decimal(str(safety_stock)),
        },
    )
    return item


def release_bom(
    parent: Item, components: Sequence[Component], *, phantom: bool = False, actor: str = "engineer", title: str = "首版 BOM"
) -> BomVersion:
    """Draft the parent's BOM in an ECO, send it to review and release it; returns the released version."""
    eco = draft_bom(parent, components, phantom=phantom, actor=actor, title=title)
    boms.submit_eco(eco, actor=actor)
    boms.release_eco(eco, actor=actor)
    return BomVersion.objects.get(pk=eco.new_version_id)


def draft_bom(
    parent: Item, components: Sequence[Component], *, phantom: bool = False, actor: str = "engineer", title: str = "BOM"
) -> EngineeringChange:
    eco = boms.create_eco(parent.pk, title=title, actor=actor)
    for line in eco.new_version.lines.all():
        boms.remove_bom_line(line.pk)
    for entry in components:
        part, quantity = entry[0], entry[1]
        scrap = Decimal(str(entry[2])) if len(entry) > 2 else Decimal("0")  # type: ignore[misc]
        boms.add_bom_line(
            eco.new_version_id, boms.LineInput(component_id=part.pk, quantity=Decimal(str(quantity)), scrap_percent=scrap)
        )
    if phantom:
        boms.set_phantom(eco.new_version_id, True)
    return eco
