"""The pack's "variance above 5 % opens a count" action: `create_document "cycle_count"(scope=
"variance_items")` on a `restaurant.variance_computed` event opens ONE draft recount per counted source
count, holding the items whose variance fired the rule (each item's event adds its line).

The core's create_document handler knows only lot transfers, so this handler takes kind "cycle_count" and
hands every other kind to the handler registered before it. A draft count posts nothing; counting and
completing it stays with the staff, which is why the rule can ship switched on.
"""

from __future__ import annotations

from django.db import transaction

from core.counts.models import CycleCount, CycleCountLine, CycleCountState
from core.counts.services import create_cycle_count
from core.inventory.models import StockLevel
from core.rules.actions import Action, ActionContext, ActionFailed, ActionHandler, handler_for, register_action_handler
from core.rules.conditions import MISSING

KIND = "cycle_count"


def _marker(count_id: int) -> str:
    return f"[restaurant-recount:{count_id}]"


@transaction.atomic
def open_variance_recount(action: Action, ctx: ActionContext) -> str:
    if ctx.subject_type != "item":
        raise ActionFailed("create_document cycle_count needs an item variance as its subject")
    source_id = ctx.lookup("count_id")
    source = CycleCount.objects.select_for_update().filter(pk=source_id).first() if source_id is not MISSING else None
    if source is None:
        raise ActionFailed("create_document cycle_count: the variance names no count")
    item_id = int(ctx.subject_id)
    recount = CycleCount.objects.filter(location_id=source.location_id, notes__startswith=_marker(source.pk)).first()
    if recount is None:
        note = f"{_marker(source.pk)} 用量差异复盘 / variance recount of {source.number}"
        recount = create_cycle_count(
            location=source.location, actor=f"rule:{ctx.rule_name}"[:200], item_ids=[item_id], notes=note
        )
        return f"opened {recount.number} for item {item_id}"
    if recount.lines.filter(item_id=item_id).exists():
        return f"{recount.number} already counts item {item_id}"
    if recount.state != CycleCountState.DRAFT:
        return f"{recount.number} is already being counted; item {item_id} not added"
    held = StockLevel.objects.filter(location_id=source.location_id, item_id=item_id).values_list("lot_id", flat=True)
    lots: set[int | None] = set(held) or {None}  # nothing on the books: counting may still find stock
    CycleCountLine.objects.bulk_create(
        CycleCountLine(cycle_count=recount, item_id=item_id, lot_id=lot) for lot in sorted(lots, key=lambda lot: lot or 0)
    )
    return f"added item {item_id} to {recount.number}"


def chained(previous: ActionHandler | None) -> ActionHandler:
    def handle(action: Action, ctx: ActionContext) -> str:
        if action["kind"] == KIND:
            return open_variance_recount(action, ctx)
        if previous is None:
            raise ActionFailed(f"create_document kind {action['kind']!r} has no handler")
        return previous(action, ctx)

    return handle


def register_recount_action() -> None:
    # contract: the module registry declares no action handlers; the core's create_document handler is
    # kept for every other kind (registered by core.rules, which is installed before the verticals).
    current = handler_for("create_document")
    if getattr(current, "restaurant_recount", False):
        return
    handler = chained(current)
    handler.restaurant_recount = True  # type: ignore[attr-defined]
    register_action_handler("create_document", handler)
