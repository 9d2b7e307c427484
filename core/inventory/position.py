"""Inventory position (库存头寸) sources: other apps add what they know about future stock.

Purchasing declares open purchase quantity (+), sales declares backorders (−) (`position_sources` on their
AppConfig, read through the module registry). A source is
`fn(item_ids, location_ids) -> {(item_id, location_id): Decimal}`; it must answer for many pairs in one
query, because replenishment asks for thousands of items at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal

from core.modules import registry

PositionSource = Callable[[list[int], list[int]], Mapping[tuple[int, int], Decimal]]

_sources: dict[str, PositionSource] = {}


def register_position_source(name: str, fn: PositionSource) -> None:
    """Add (or replace, by name) a source at run time; apps declare theirs in `position_sources` instead."""
    _sources[name] = fn


def unregister_position_source(name: str) -> None:
    _sources.pop(name, None)


def position_sources() -> dict[str, PositionSource]:
    """The sources modules declare (`position_sources` in the registry), then those registered at run time."""
    sources: dict[str, PositionSource] = {spec.name: spec.fn for spec in registry.position_sources()}
    sources.update(_sources)
    return sources


def inventory_positions(pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], Decimal]:
    """Inventory position for many (item, location) pairs: on hand + in transit − reserved + Σ sources.

    One query for the levels, one for transit, one per registered source, whatever the number of pairs."""
    from core.inventory.selectors import level_totals, transit_totals

    wanted = sorted(set(pairs))
    if not wanted:
        return {}
    item_ids = sorted({item for item, _ in wanted})
    location_ids = sorted({location for _, location in wanted})
    result = {pair: Decimal("0") for pair in wanted}
    for pair, (on_hand, reserved) in level_totals(item_ids, location_ids).items():
        if pair in result:
            result[pair] += on_hand - reserved
    for pair, quantity in transit_totals(item_ids, location_ids).items():
        if pair in result:
            result[pair] += quantity
    for fn in position_sources().values():
        for pair, quantity in fn(item_ids, location_ids).items():
            if pair in result:
                result[pair] += Decimal(quantity)
    return result
