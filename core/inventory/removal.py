"""Removal strategies: which lots leave first (FIFO by receipt, FEFO by expiry)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TypeVar

from core.catalog.models import Item, RemovalStrategy
from core.inventory.models import Lot

T = TypeVar("T")

FAR_FUTURE = date.max


def removal_order(item: Item, levels: Sequence[T], lots: dict[int, Lot] | None = None) -> list[T]:
    """`levels` (anything with `lot_id`) sorted so the lot to remove first comes first."""
    if lots is None:
        lots = Lot.objects.in_bulk([level.lot_id for level in levels])  # type: ignore[attr-defined]

    def key(level: T) -> tuple[date, datetime, int]:
        lot = lots[level.lot_id]  # type: ignore[attr-defined]
        expiry = lot.expiry_date or FAR_FUTURE if item.removal_strategy == RemovalStrategy.FEFO else FAR_FUTURE
        return (expiry, lot.received_at, lot.pk)

    return sorted(levels, key=key)
