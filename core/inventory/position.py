"""Inventory position (库存头寸) sources: other apps add what they know about future stock.

Purchasing registers open purchase quantity (+), sales registers backorders (−). A source is
`fn(item_ids, location_ids) -> {(item_id, location_id): Decimal}`; it must answer for many pairs in one
query, because replenishment asks for thousands of items at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal

PositionSource = Callable[[list[int], list[int]], Mapping[tuple[int, int], Decimal]]

_sources: dict[str, PositionSource] = {}


def register_position_source(name: str, fn: PositionSource) -> None:
    """Add (or replace, by name) a source; call it from the app's AppConfig.ready()."""
    _sources[name] = fn


def unregister_position_source(name: str) -> None:
    _sources.pop(name, None)


def position_sources() -> dict[str, PositionSource]:
    return dict(_sources)


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
    for fn in _sources.values():
        for pair, quantity in fn(item_ids, location_ids).items():
            if pair in result:
                result[pair] += Decimal(quantity)
    return result
