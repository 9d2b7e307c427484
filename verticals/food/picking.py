"""FEFO picking (先到期先出) for the phone pick page: the lot scanned must be the first to expire among the
available, un-held lots at the shelf; otherwise the picker is told which lot to take instead."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from core.inventory.holds import held_lots
from core.inventory.locking import lock_levels
from core.inventory.models import Lot, Posting, StockLevel
from core.inventory.services import MoveLine, post_moves
from verticals.food.exceptions import NotFefo, RecallLotUnknown


@dataclass(frozen=True)
class PickableLot:
    lot_id: int
    code: str
    expiry_date: date | None
    available: Decimal


def fefo_lots(item_id: int, location_id: int, *, lock: bool = False) -> list[PickableLot]:
    """The lots that may be picked at the shelf, first to expire first (no expiry last). `lock` (inside a
    transaction) locks the shelf's level rows in the ledger's order first."""
    if lock:
        levels = lock_levels([(item_id, location_id)])
    else:
        levels = {
            (level.item_id, level.location_id, level.lot_id): level
            for level in StockLevel.objects.filter(item_id=item_id, location_id=location_id)
        }
    lot_ids = [key[2] for key, level in levels.items() if key[2] is not None and level.available > 0]
    held = held_lots(lot_ids)
    lots = Lot.objects.in_bulk([lot_id for lot_id in lot_ids if lot_id not in held])
    rows = [
        PickableLot(lot.pk, lot.code, lot.expiry_date, levels[(item_id, location_id, lot.pk)].available) for lot in lots.values()
    ]
    return sorted(rows, key=lambda row: (row.expiry_date or date.max, row.lot_id))


@transaction.atomic
def pick_lot(
    *, item_id: int, location_id: int, to_location_id: int, lot_code: str, quantity: Decimal, actor: str, key: str = ""
) -> Posting:
    """Move the scanned lot to the staging location, refused unless it is the first to expire (or expires
    the same day as the first). The shelf's levels are locked first, so the check and the move agree."""
    candidates = fefo_lots(item_id, location_id, lock=True)
    scanned = next((row for row in candidates if row.code == lot_code.strip()), None)
    if scanned is None:
        raise RecallLotUnknown(lot_code.strip(), str(item_id))
    first = candidates[0]
    if (scanned.expiry_date or date.max) > (first.expiry_date or date.max):
        message = _("Take lot %(lot)s first: it expires %(date)s.") % {"lot": first.code, "date": first.expiry_date}
        raise NotFefo(message, field="lotCode")
    return post_moves(
        [MoveLine(item_id, location_id, to_location_id, quantity, lot_id=scanned.lot_id)],
        idempotency_key=key or f"food.pick:{uuid.uuid4().hex}",
        document_type="food_pick",
        actor=actor,
    )
