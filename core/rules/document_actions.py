"""The create_document action for lots: move a lot's free stock out to a virtual location (e.g. donation).

`create_document(kind="transfer", params={"destination": "<virtual kind>"})` on a lot subject posts, for every
internal location holding the lot, its available quantity (on hand less reserved) to the tenant's virtual
location of that kind. Logistics transfers only run between internal locations, so a move to a counterparty
goes through the stock ledger. The posting's idempotency key is the rule version, event and lot: a redelivered
event moves nothing twice.
"""

from __future__ import annotations

from django.db.models import F

from core.inventory.models import Lot, StockLevel
from core.inventory.services import MoveLine, post_moves
from core.locations.models import VIRTUAL_KINDS, LocationKind
from core.locations.services import get_virtual_location
from core.rules.actions import Action, ActionContext, ActionFailed, register_action_handler
from core.rules.conditions import MISSING


def _subject_lot(ctx: ActionContext) -> Lot:
    if isinstance(ctx.subject, Lot):
        return ctx.subject
    found = ctx.lookup("lot.id")
    lot = Lot.objects.filter(pk=found).first() if found is not MISSING else None
    if lot is None:
        raise ActionFailed("create_document transfer needs a lot as its subject")
    return lot


def create_document(action: Action, ctx: ActionContext) -> str:
    destination = str(action["params"].get("destination", ""))
    if action["kind"] != "transfer" or destination not in VIRTUAL_KINDS:
        raise ActionFailed(f"create_document supports kind 'transfer' to one of {', '.join(sorted(VIRTUAL_KINDS))}")
    lot = _subject_lot(ctx)
    target = get_virtual_location(destination)
    levels = (
        StockLevel.objects.select_for_update()
        .filter(lot=lot, location__kind=LocationKind.INTERNAL, on_hand__gt=F("reserved"))
        .order_by("pk")
    )
    lines = [
        MoveLine(
            item_id=level.item_id,
            from_location_id=level.location_id,
            to_location_id=target.pk,
            quantity=level.on_hand - level.reserved,
            lot_id=lot.pk,
        )
        for level in levels
    ]
    if not lines:
        return f"lot {lot.code}: nothing free to move"
    post_moves(
        lines,
        idempotency_key=f"rule:{ctx.version_id}:{ctx.event_id}:lot:{lot.pk}",
        document_type=f"rule_{destination}",
        actor=f"rule:{ctx.rule_name}"[:200],
        reason=f"rule {ctx.rule_name}",
    )
    moved = sum(line.quantity for line in lines)
    return f"moved {moved} of lot {lot.code} to {destination}"


def register_document_handlers() -> None:
    register_action_handler("create_document", create_document)
