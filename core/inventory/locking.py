"""Row locks for the ledger, always taken in one global order so concurrent postings never deadlock.

Order inside a transaction: posting key → reservations (by pk) → lots (by item, code) → stock levels
(by item, location, lot with NULL first) → item valuations (by item). Every writer of the ledger goes
through these helpers, so two transactions always queue for the same rows in the same order.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from core.inventory.models import ItemValuation, Lot, StockLevel

LevelKey = tuple[int, int, int | None]  # (item_id, location_id, lot_id)


def ensure_lots(specs: Iterable[tuple[int, str, date | None, datetime, Decimal | None]]) -> dict[tuple[int, str], Lot]:
    """Create missing lots (INSERT … ON CONFLICT DO NOTHING) and return every requested lot by (item, code).

    `specs` are (item_id, code, expiry_date, received_at, unit_cost); an existing lot keeps its own values."""
    wanted = sorted({(item_id, code): (expiry, received, cost) for item_id, code, expiry, received, cost in specs}.items())
    if not wanted:
        return {}
    Lot.objects.bulk_create(
        [
            Lot(item_id=item_id, code=code, expiry_date=expiry, received_at=received, unit_cost=cost)
            for (item_id, code), (expiry, received, cost) in wanted
        ],
        ignore_conflicts=True,
    )
    keys = {key for key, _ in wanted}
    found = Lot.objects.filter(item_id__in={k[0] for k in keys}, code__in={k[1] for k in keys})
    return {(lot.item_id, lot.code): lot for lot in found if (lot.item_id, lot.code) in keys}


def ensure_levels(keys: Iterable[LevelKey]) -> None:
    """Create the level rows a posting will touch, so they exist to be locked; sorted, to queue in order."""
    ordered = sorted(set(keys), key=level_sort_key)
    if ordered:
        StockLevel.objects.bulk_create(
            [StockLevel(item_id=item_id, location_id=location_id, lot_id=lot_id) for item_id, location_id, lot_id in ordered],
            ignore_conflicts=True,
        )


def level_sort_key(key: LevelKey) -> tuple[int, int, int]:
    item_id, location_id, lot_id = key
    return (item_id, location_id, -1 if lot_id is None else lot_id)


def lock_levels(pairs: Iterable[tuple[int, int]]) -> dict[LevelKey, StockLevel]:
    """Lock every level row (all lots) of the given (item, location) pairs, in the global order.

    The ORDER BY sits below the row-locking step in PostgreSQL's plan, so rows are locked in that order."""
    ordered = sorted(set(pairs))
    if not ordered:
        return {}
    table = StockLevel._meta.db_table
    rows = StockLevel.objects.raw(
        f"SELECT * FROM {table} WHERE (item_id, location_id) IN "
        "(SELECT * FROM unnest(%s::bigint[], %s::bigint[])) "
        "ORDER BY item_id, location_id, lot_id NULLS FIRST FOR UPDATE",
        [[item for item, _ in ordered], [location for _, location in ordered]],
    )
    return {(row.item_id, row.location_id, row.lot_id): row for row in rows}


def lock_valuations(item_ids: Iterable[int]) -> dict[int, ItemValuation]:
    ordered = sorted(set(item_ids))
    if not ordered:
        return {}
    found = {v.item_id: v for v in ItemValuation.objects.select_for_update().filter(item_id__in=ordered).order_by("item_id")}
    missing = [item_id for item_id in ordered if item_id not in found]
    if missing:
        # Only on an item's first valued move. Inserts are sorted too, so racing first receipts queue in order.
        ItemValuation.objects.bulk_create([ItemValuation(item_id=item_id) for item_id in missing], ignore_conflicts=True)
        found.update(
            (v.item_id, v) for v in ItemValuation.objects.select_for_update().filter(item_id__in=missing).order_by("item_id")
        )
    return found


def write_levels(levels: Iterable[StockLevel]) -> None:
    """One UPDATE for every changed level row (already locked by this transaction)."""
    rows = list(levels)
    if not rows:
        return
    from django.db import connection

    table = StockLevel._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS l SET on_hand = v.on_hand, reserved = v.reserved "
            "FROM unnest(%s::bigint[], %s::numeric[], %s::numeric[]) AS v(id, on_hand, reserved) WHERE l.id = v.id",
            [[r.pk for r in rows], [r.on_hand for r in rows], [r.reserved for r in rows]],
        )
