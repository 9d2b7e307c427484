"""Lot holds (质量冻结): lots a module has blocked from picking, read by the ledger's pick and ship path.

A module declares `lot_holds` (`LotHoldSpec`) on its config, e.g. the food module's recall quarantine and
deviation holds. The ledger asks once per posting, for all the lots the posting could take, and only when a
line takes lot-tracked stock somewhere a held lot may not go. A held lot may still leave to the loss location
(destroyed) or back to the supplier (returned): that is how a hold ends.
"""

from __future__ import annotations

from collections.abc import Iterable

from core.locations.models import LocationKind
from core.modules import registry

# Where a held lot may still go: written off or returned, never picked for a customer, a store or production.
HOLD_EXEMPT_TARGETS = frozenset({LocationKind.INVENTORY_LOSS, LocationKind.SUPPLIER})


def held_lots(lot_ids: Iterable[int]) -> set[int]:
    """The lots among `lot_ids` that some module holds: one query per declared hold source."""
    wanted = sorted(set(lot_ids))
    if not wanted:
        return set()
    held: set[int] = set()
    for spec in registry.lot_holds():
        held.update(int(lot_id) for lot_id in spec.fn(wanted))
    return held
