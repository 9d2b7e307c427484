"""Valuation of moves: moving average per item, FIFO by lot for `fifo_lot` items, backdated differences."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from core.catalog.models import CostMethod, Item
from core.inventory.models import ItemValuation, Lot, StockMove

VALUE_PLACES = Decimal("0.0001")
COST_PLACES = Decimal("0.000001")
ZERO = Decimal("0")


def money(value: Decimal) -> Decimal:
    return value.quantize(VALUE_PLACES, rounding=ROUND_HALF_UP)


def unit_cost(value: Decimal) -> Decimal:
    return value.quantize(COST_PLACES, rounding=ROUND_HALF_UP)


@dataclass
class Valued:
    unit_cost: Decimal
    value: Decimal
    at_average: bool  # valued at the running average (so a backdated move may be worth a correction)


def value_inbound(
    valuation: ItemValuation,
    quantity: Decimal,
    *,
    explicit_cost: Decimal | None,
    explicit_value: Decimal | None,
    lot: Lot | None,
    item: Item,
) -> Valued:
    """Stock enters the valued locations (a receipt, a return, a count gain) and moves the average."""
    if explicit_value is not None:
        valued = Valued(unit_cost(explicit_value / quantity), explicit_value, False)
    elif explicit_cost is not None:
        valued = Valued(unit_cost(explicit_cost), money(quantity * explicit_cost), False)
    elif item.cost_method == CostMethod.FIFO_LOT and lot is not None and lot.unit_cost is not None:
        valued = Valued(lot.unit_cost, money(quantity * lot.unit_cost), False)
    else:
        valued = Valued(valuation.average_cost, money(quantity * valuation.average_cost), True)
    valuation.on_hand += quantity
    valuation.inventory_value += valued.value
    _reaverage(valuation, valued.unit_cost)
    return valued


def value_outbound(
    valuation: ItemValuation,
    quantity: Decimal,
    *,
    explicit_cost: Decimal | None,
    explicit_value: Decimal | None,
    lot: Lot | None,
    item: Item,
) -> Valued:
    """Stock leaves the valued locations (an issue, a loss, a return to supplier)."""
    if explicit_value is not None:
        valued = Valued(unit_cost(explicit_value / quantity), explicit_value, False)
    elif explicit_cost is not None:
        valued = Valued(unit_cost(explicit_cost), money(quantity * explicit_cost), False)
    elif item.cost_method == CostMethod.FIFO_LOT and lot is not None and lot.unit_cost is not None:
        valued = Valued(lot.unit_cost, money(quantity * lot.unit_cost), False)
    elif quantity == valuation.on_hand:
        # The last units take the remaining value exactly, so rounding never leaves value on zero stock.
        valued = Valued(valuation.average_cost, valuation.inventory_value, True)
    else:
        valued = Valued(valuation.average_cost, money(quantity * valuation.average_cost), True)
    valuation.on_hand -= quantity
    valuation.inventory_value -= valued.value
    _reaverage(valuation, valuation.average_cost)
    return valued


def value_internal(valuation_cost: Decimal, quantity: Decimal, *, lot: Lot | None, item: Item) -> Valued:
    """A move between two valued locations (a transfer) carries value but changes no total."""
    cost = (
        lot.unit_cost
        if item.cost_method == CostMethod.FIFO_LOT and lot is not None and lot.unit_cost is not None
        else valuation_cost
    )
    return Valued(cost, money(quantity * cost), False)


def _reaverage(valuation: ItemValuation, fallback: Decimal) -> None:
    if valuation.on_hand > 0:
        valuation.average_cost = unit_cost(valuation.inventory_value / valuation.on_hand)
    elif valuation.on_hand == 0 and valuation.inventory_value == 0:
        valuation.average_cost = fallback
    # On negative stock (tenant allows it) the last positive average stays the reference.


def historical_average(item_id: int, occurred_at: datetime) -> Decimal | None:
    """The item's moving-average cost as it stood at `occurred_at`, read from the moves' history."""
    return (
        StockMove.objects.filter(item_id=item_id, occurred_at__lte=occurred_at)
        .order_by("-occurred_at", "-pk")
        .values_list("item_average_cost", flat=True)
        .first()
    )
