"""Work orders (生产工单): create from the released BOM, release, issue, report, complete, scrap.

Stock moves go only through the ledger's `post_moves` (components: source → production; finished goods and
by-products: production → destination), each under an idempotency key of the work order's own, so a
retried tap on the line-side phone posts nothing twice. Lock order: the work order, then its components by pk.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.access import Actor, actor_label
from core.catalog.models import Item
from core.events.documents import lock_document
from core.events.pipeline import record_document_created, set_blocking_reason, transition
from core.events.timeline import Timeline, order_timeline
from core.inventory.models import Posting
from core.inventory.selectors import level_totals
from core.inventory.services import MoveLine, post_moves
from core.locations.models import Location, LocationKind
from core.locations.services import get_virtual_location
from verticals.discrete_mfg import structure
from verticals.discrete_mfg.exceptions import InvalidMfgQuantity, MfgNotFound, NoReleasedBom, OverIssue, WorkOrderNotOpen
from verticals.discrete_mfg.models import (
    BomAlternate,
    BomState,
    BomVersion,
    IssueMethod,
    MfgSettings,
    OperationReport,
    WorkOrder,
    WorkOrderComponent,
    WorkOrderOperation,
    WorkOrderScrap,
    WorkOrderState,
)

W = WorkOrderState
ZERO = Decimal("0")
Q4 = Decimal("0.0001")
AWAITING_COMPONENTS = "awaiting_components"
ISSUABLE = (W.RELEASED, W.IN_PROGRESS)


@dataclass(frozen=True)
class IssueLine:
    item_id: int
    quantity: Decimal  # base units


def _q(value: Decimal) -> Decimal:
    return value.quantize(Q4, rounding=ROUND_CEILING)


def _production() -> Location:
    return get_virtual_location(LocationKind.PRODUCTION)


def _explode(bom: BomVersion, quantity: Decimal, on: date) -> dict[int, tuple[Decimal, bool]]:
    """Components (base units) for `quantity` of the BOM's item; phantoms are passed through to their parts."""
    edges = structure.edges_below(
        [bom.item_id],
        on=on,
        extra=[bom.pk],
        hidden=list(
            BomVersion.objects.filter(item_id=bom.item_id, state=BomState.RELEASED)
            .exclude(pk=bom.pk)
            .values_list("pk", flat=True)
        ),
    )
    structure.check_conversions(edges)
    below = structure.children_by_parent(edges)
    phantoms = {e.parent_id for e in edges if e.phantom and e.parent_id != bom.item_id}
    backflush = dict(bom.lines.values_list("component_id", "backflush"))
    needs: dict[int, tuple[Decimal, bool]] = {}

    def walk(item_id: int, qty: Decimal, depth: int) -> None:
        for edge in below.get(item_id, []):
            need = qty * Decimal(edge.per_unit or 0)
            if edge.child_id in phantoms and depth < structure.MAX_DEPTH:
                walk(edge.child_id, need, depth + 1)
                continue
            before, flag = needs.get(edge.child_id, (ZERO, backflush.get(edge.child_id, False)))
            needs[edge.child_id] = (before + need, flag)

    walk(bom.item_id, quantity, 0)
    return {pk: (_q(qty), flag) for pk, (qty, flag) in needs.items()}


@transaction.atomic
def create_work_order(
    item_id: int,
    quantity: Decimal,
    *,
    source: Location,
    destination: Location,
    actor: Actor | str,
    due_date: date | None = None,
    issue_method: str = IssueMethod.PICK_LIST,
    planned_order_id: int | None = None,
) -> WorkOrder:
    """A draft work order from the item's released BOM: components and routing copied, so later ECOs leave it be."""
    if quantity is None or Decimal(quantity) <= 0:
        raise InvalidMfgQuantity(_("The quantity must be positive."))
    item = Item.objects.filter(pk=item_id).first()
    bom = BomVersion.objects.filter(item_id=item_id, state=BomState.RELEASED).order_by("-version").first()
    if item is None or bom is None:
        raise NoReleasedBom(_("This item has no released BOM: release one through an ECO first."))
    if bom.phantom:
        raise NoReleasedBom(
            _("%(sku)s is a phantom assembly: it is built inside its parent, never on its own.") % {"sku": item.sku}
        )
    today = timezone.localdate()
    lead = structure.planning_profiles([item_id]).get(item_id)
    start = (due_date - timedelta(days=lead.lead_time_days)) if due_date and lead else today
    components = _explode(bom, Decimal(quantity), max(start, today))
    order = WorkOrder.objects.create(
        number=f"tmp-{uuid.uuid4().hex[:28]}",
        item=item,
        bom=bom,
        quantity=Decimal(quantity),
        source=source,
        destination=destination,
        issue_method=issue_method,
        start_date=max(start, today),
        due_date=due_date,
        planned_order_id=planned_order_id,
        created_by=actor_label(actor),
    )
    order.number = f"WO{order.pk:06d}"
    order.save(update_fields=["number"])
    backflush_all = issue_method == IssueMethod.BACKFLUSH
    WorkOrderComponent.objects.bulk_create(
        [
            WorkOrderComponent(work_order=order, item_id=pk, required_quantity=qty, backflush=backflush_all or flag)
            for pk, (qty, flag) in sorted(components.items())
        ]
    )
    WorkOrderOperation.objects.bulk_create(
        [
            WorkOrderOperation(
                work_order=order,
                sequence=op.sequence,
                work_centre_id=op.work_centre_id,
                description=op.description,
                standard_minutes=op.setup_minutes + op.run_minutes * Decimal(quantity),
            )
            for op in bom.operations.all()
        ]
    )
    record_document_created(order, actor=actor_label(actor), payload={"number": order.number, "item": item.sku})
    return order


def _locked(order: WorkOrder, states: Sequence[str]) -> WorkOrder:
    lock_document(order)
    if order.state not in states:
        raise WorkOrderNotOpen(
            _("Work order %(number)s is %(state)s.") % {"number": order.number, "state": order.get_state_display()}
        )
    return order


def shortages(order: WorkOrder) -> tuple[int, int]:
    """(components still waiting, components in all): waiting = not fully issued and not on hand at the source."""
    components = list(order.components.all())
    stock = level_totals([c.item_id for c in components], [order.source_id])
    waiting = 0
    for component in components:
        missing = component.missing_quantity
        on_hand, reserved = stock.get((component.item_id, order.source_id), (ZERO, ZERO))
        if missing > 0 and on_hand - reserved < missing:
            waiting += 1
    return waiting, len(components)


def refresh_blocking_reason(order: WorkOrder, *, actor: str = "system") -> None:
    waiting, total = shortages(order)
    reason = AWAITING_COMPONENTS if waiting and order.state in ISSUABLE else ""
    set_blocking_reason(order, reason, actor=actor, payload={"waiting": waiting, "components": total})


def blocking_text(order: WorkOrder) -> str:
    """The reason in words for the line side and the timeline: "waiting for 3 of 12 components"."""
    if order.state not in ISSUABLE:
        return ""
    waiting, total = shortages(order)
    if not waiting:
        return ""
    return ngettext(
        "waiting for %(waiting)s of %(total)s component", "waiting for %(waiting)s of %(total)s components", total
    ) % {"waiting": waiting, "total": total}


def work_order_timeline(order: WorkOrder) -> tuple[Timeline, str]:
    """The core timeline of the work order, with the blocking reason in words."""
    return order_timeline(WorkOrder.SUBJECT_TYPE, order.pk), blocking_text(order)


@transaction.atomic
def release_work_order(order: WorkOrder, *, actor: Actor | str) -> WorkOrder:
    transition(order, W.RELEASED, actor=actor_label(actor))
    refresh_blocking_reason(order, actor=actor_label(actor))
    return order


@transaction.atomic
def cancel_work_order(order: WorkOrder, *, actor: Actor | str, reason: str = "") -> WorkOrder:
    if order.components.filter(issued_quantity__gt=0).exists():
        raise WorkOrderNotOpen(_("Components were already issued: return them before cancelling, or complete the order."))
    return transition(order, W.CANCELLED, actor=actor_label(actor), reason=reason)


def _tolerance() -> Decimal:
    settings = MfgSettings.objects.filter(pk=1).first()
    return (settings.over_issue_tolerance_percent if settings else Decimal("5")) / 100


@transaction.atomic
def issue_materials(order: WorkOrder, lines: Sequence[IssueLine], *, reference: str, actor: Actor | str) -> Posting:
    """Issue components to the order (领料). An alternate part counts against its primary at the BOM's ratio.

    More than required × (1 + over-issue tolerance) is refused; the same `reference` again posts nothing."""
    key = f"wo:{order.pk}:issue:{reference}"
    done = Posting.objects.filter(idempotency_key=key).first()
    if done is not None:
        return done
    _locked(order, ISSUABLE)
    if not lines:
        raise InvalidMfgQuantity(_("Choose at least one component to issue."), field="lines")
    components = {c.item_id: c for c in WorkOrderComponent.objects.select_for_update().filter(work_order=order).order_by("pk")}
    alternates = _alternates(order)
    tolerance = _tolerance()
    moves: list[MoveLine] = []
    production = _production()
    for index, line in enumerate(lines):
        quantity = Decimal(line.quantity)
        if quantity <= 0:
            raise InvalidMfgQuantity(
                _("Line %(n)s: the quantity must be positive.") % {"n": index + 1}, field=f"lines.{index}.quantity"
            )
        target_id, ratio = (
            (line.item_id, Decimal("1")) if line.item_id in components else alternates.get(line.item_id, (None, ZERO))
        )
        component = components.get(target_id) if target_id is not None else None
        if component is None:
            raise InvalidMfgQuantity(
                _("Line %(n)s: this part is not on the work order's BOM.") % {"n": index + 1}, field=f"lines.{index}.itemId"
            )
        counted = _q(quantity / ratio)
        allowed = component.required_quantity * (1 + tolerance)
        if component.issued_quantity + counted > allowed:
            raise OverIssue(
                _("Line %(n)s: %(issued)s issued of %(required)s required; at most %(allowed)s with the %(pct)s%% tolerance.")
                % {
                    "n": index + 1,
                    "issued": component.issued_quantity + counted,
                    "required": component.required_quantity,
                    "allowed": _q(allowed),
                    "pct": (tolerance * 100).normalize(),
                },
                field=f"lines.{index}.quantity",
            )
        component.issued_quantity += counted
        moves.append(
            MoveLine(item_id=line.item_id, from_location_id=order.source_id, to_location_id=production.pk, quantity=quantity)
        )
    posting = post_moves(moves, idempotency_key=key, document_type="work_order", document_id=order.pk, actor=actor_label(actor))
    WorkOrderComponent.objects.bulk_update(components.values(), ["issued_quantity"])
    if order.state == W.RELEASED:
        transition(order, W.IN_PROGRESS, actor=actor_label(actor))
    refresh_blocking_reason(order, actor=actor_label(actor))
    return posting


def _alternates(order: WorkOrder) -> dict[int, tuple[int, Decimal]]:
    """{alternate item: (the primary component it stands in for, alternate units per primary unit)}."""
    return {
        alt.item_id: (alt.line.component_id, alt.ratio)
        for alt in BomAlternate.objects.filter(line__bom_id=order.bom_id).select_related("line").order_by("priority")
    }


def pick_list(order: WorkOrder) -> list[tuple[WorkOrderComponent, Decimal]]:
    """What the storeroom still has to bring to the line: the missing quantity of every pick-list component."""
    return [
        (c, c.missing_quantity) for c in order.components.select_related("item") if not c.backflush and c.missing_quantity > 0
    ]


def issue_pick_list(order: WorkOrder, *, reference: str, actor: Actor | str) -> Posting:
    lines = [IssueLine(c.item_id, missing) for c, missing in pick_list(order)]
    if not lines:
        raise InvalidMfgQuantity(_("Everything on the pick list has been issued."), field="lines")
    return issue_materials(order, lines, reference=reference, actor=actor)


@transaction.atomic
def report_operation(
    order: WorkOrder, *, sequence: int, quantity: Decimal, minutes: Decimal, reference: str, actor: Actor | str
) -> OperationReport:
    """报工: good quantity and minutes on one operation; the same reference again returns the first report."""
    existing = OperationReport.objects.filter(reference=f"wo:{order.pk}:{reference}").first()
    if existing is not None:
        return existing
    _locked(order, ISSUABLE)
    operation = WorkOrderOperation.objects.select_for_update().filter(work_order=order, sequence=sequence).first()
    if operation is None:
        raise MfgNotFound(_("The work order has no operation %(seq)s.") % {"seq": sequence}, field="sequence")
    if quantity < 0 or minutes < 0 or (quantity == 0 and minutes == 0):
        raise InvalidMfgQuantity(_("Report a positive quantity or time."))
    if operation.reported_quantity + quantity > order.quantity:
        raise InvalidMfgQuantity(_("More reported than the order makes (%(qty)s).") % {"qty": order.quantity})
    operation.reported_quantity += quantity
    operation.actual_minutes += minutes
    operation.save(update_fields=["reported_quantity", "actual_minutes"])
    if order.state == W.RELEASED:
        transition(order, W.IN_PROGRESS, actor=actor_label(actor))
    return OperationReport.objects.create(
        operation=operation,
        reference=f"wo:{order.pk}:{reference}",
        quantity=quantity,
        minutes=minutes,
        reported_by=actor_label(actor),
    )


@transaction.atomic
def complete_work_order(
    order: WorkOrder,
    *,
    quantity: Decimal,
    reference: str,
    actor: Actor | str,
    scrap_quantity: Decimal = ZERO,
    scrap_reason: str = "",
) -> Posting | None:
    """完工: backflush what is due, receive the good units at rolled-up cost plus by-products, record scrap.

    One ledger posting under f"wo:<id>:complete:<reference>"; the order completes when nothing is left open."""
    key = f"wo:{order.pk}:complete:{reference}"
    done = Posting.objects.filter(idempotency_key=key).first()
    if done is not None or WorkOrderScrap.objects.filter(reference=key).exists():
        return done
    _locked(order, ISSUABLE)
    quantity, scrap_quantity = Decimal(quantity), Decimal(scrap_quantity)
    if quantity < 0 or scrap_quantity < 0 or quantity + scrap_quantity <= 0:
        raise InvalidMfgQuantity(_("Enter the good quantity, the scrapped quantity, or both."))
    if scrap_quantity > 0 and not scrap_reason.strip():
        raise InvalidMfgQuantity(_("Give the reason for the scrap."), field="scrapReason")
    if order.completed_quantity + order.scrapped_quantity + quantity + scrap_quantity > order.quantity * (1 + _tolerance()):
        raise OverIssue(_("More than the order's %(qty)s would be finished.") % {"qty": order.quantity})
    production = _production()
    done_share = min(
        (order.completed_quantity + order.scrapped_quantity + quantity + scrap_quantity) / order.quantity, Decimal(1)
    )
    components = list(WorkOrderComponent.objects.select_for_update().filter(work_order=order).order_by("pk"))
    moves: list[MoveLine] = []
    for component in components:
        due = _q(component.required_quantity * done_share) - component.issued_quantity
        if component.backflush and due > 0:
            moves.append(
                MoveLine(item_id=component.item_id, from_location_id=order.source_id, to_location_id=production.pk, quantity=due)
            )
            component.issued_quantity += due
    if quantity > 0:
        cost = structure.rolled_up_costs([order.item_id], on=timezone.localdate(), extra=[order.bom_id]).get(order.item_id, ZERO)
        moves.append(
            MoveLine(
                item_id=order.item_id,
                from_location_id=production.pk,
                to_location_id=order.destination_id,
                quantity=quantity,
                unit_cost=cost,
            )
        )
        for by_product in order.bom.by_products.all():
            made = _q(by_product.quantity * quantity / order.bom.output_quantity)
            moves.append(
                MoveLine(
                    item_id=by_product.item_id,
                    from_location_id=production.pk,
                    to_location_id=order.destination_id,
                    quantity=made,
                    unit_cost=by_product.unit_cost,
                )
            )
    posting = None
    if moves:
        posting = post_moves(
            moves, idempotency_key=key, document_type="work_order", document_id=order.pk, actor=actor_label(actor)
        )
    WorkOrderComponent.objects.bulk_update(components, ["issued_quantity"])
    if scrap_quantity > 0:
        WorkOrderScrap.objects.create(
            work_order=order,
            reference=key,
            quantity=scrap_quantity,
            reason=scrap_reason.strip()[:200],
            recorded_by=actor_label(actor),
        )
    order.completed_quantity += quantity
    order.scrapped_quantity += scrap_quantity
    order.save(update_fields=["completed_quantity", "scrapped_quantity"])
    if order.completed_quantity + order.scrapped_quantity >= order.quantity:
        transition(order, W.COMPLETED, actor=actor_label(actor), payload={"completed": str(order.completed_quantity)})
        set_blocking_reason(order, "", actor=actor_label(actor))
    else:
        if order.state == W.RELEASED:
            transition(order, W.IN_PROGRESS, actor=actor_label(actor))
        refresh_blocking_reason(order, actor=actor_label(actor))
    return posting
