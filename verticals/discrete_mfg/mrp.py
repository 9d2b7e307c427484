"""MRP (物料需求计划): net requirements, exploded level by level by low-level code, with pegging and messages.

One run reads everything it needs in a fixed number of set-based queries (the released BOM edges, stock,
dated supply, demand, lead times), plans in memory item by item in low-level-code order, and writes the
planned orders, their pegs and the action messages in bulk, in one transaction. Nothing is written when the
structure has a line whose unit the component cannot convert: the run names the item and stops.
Idempotent per location and day (`run_key`), like replenishment.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.access import Actor, actor_label
from core.events.services import record_event
from core.sales.models import SalesOrder
from verticals.discrete_mfg.exceptions import MissingUnitConversion
from verticals.discrete_mfg.models import (
    OPEN_WORK_ORDER_STATES,
    MessageKind,
    MfgSettings,
    MrpMessage,
    MrpRun,
    Pegging,
    PegSource,
    PlannedOrder,
    PlannedOrderKind,
)
from verticals.discrete_mfg.structure import EDGES_SQL, Edge, _edge_params

ZERO = Decimal("0")
Q4 = Decimal("0.0001")
OPEN_PO_STATES = ("submitted", "approved", "sent", "partially_received")
DEMAND_SO_STATES = ("confirmed", "allocated", "picking")
BATCH = 2000


@dataclass
class Requirement:
    need_on: date
    quantity: Decimal
    source: str
    source_id: int | None
    # (alternate item, alternate units per unit of this one) in priority order: BOM lines with 替代料 only
    alternates: tuple[tuple[int, Decimal], ...] = ()


@dataclass
class Receipt:
    """Existing supply: an open purchase order line or an open work order, due on `due_on`."""

    due_on: date
    quantity: Decimal
    document_type: str
    document_id: int
    used: Decimal = ZERO
    first_need: date | None = None


@dataclass
class Planned:
    key: int
    item_id: int
    kind: str
    quantity: Decimal
    due_on: date
    release_on: date
    lead_time_days: int
    lead_time_source: str
    pegs: list[Requirement] = field(default_factory=list)


@dataclass
class PlanInputs:
    """Everything a run reads, loaded up front (also what the benchmark counts queries over)."""

    today: date
    location_id: int
    edges: dict[int, list[Edge]]
    alternates: dict[tuple[int, int], tuple[tuple[int, Decimal], ...]]  # (parent, component) → alternates
    phantoms: set[int]
    items: dict[int, tuple[str, Decimal, Decimal]]  # sku, moq, pack size
    profiles: dict[int, tuple[int, Decimal]]  # fixed lead time, safety stock
    predicted: dict[int, tuple[int, str]]  # model lead time (days, source)
    stock: dict[int, Decimal]
    receipts: dict[int, list[Receipt]]
    demands: dict[int, list[Requirement]]


@dataclass
class MrpResult:
    run: MrpRun
    created: bool


def _rows(sql: str, params: Mapping[str, Any] | list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def forecast_requirements(location_id: int, start: date, end: date) -> dict[int, list[tuple[date, Decimal]]]:
    """The one place MRP reads the core's forecasts: the latest P50 per item and day in [start, end).

    The forecasting helpers are changing that table; keep every coupling to it in this function."""
    rows = _rows(
        """
        SELECT DISTINCT ON (item_id, forecast_date) item_id, forecast_date, p50
          FROM planning_demandforecast
         WHERE location_id = %s AND forecast_date >= %s AND forecast_date < %s
         ORDER BY item_id, forecast_date, made_on DESC
        """,
        [location_id, start, end],
    )
    result: dict[int, list[tuple[date, Decimal]]] = defaultdict(list)
    for item_id, day, p50 in rows:
        if p50 and p50 > 0:
            result[item_id].append((day, Decimal(p50)))
    return result


def low_level_codes_of(edges: Mapping[int, list[Edge]], items: Iterable[int]) -> dict[int, int]:
    """Deepest level of each item, from the in-memory edges (Kahn's order over parents → children)."""
    nodes = set(items) | set(edges) | {e.child_id for lines in edges.values() for e in lines}
    indegree: dict[int, int] = dict.fromkeys(nodes, 0)
    for lines in edges.values():
        for edge in {e.child_id for e in lines}:
            indegree[edge] += 1
    level = dict.fromkeys(nodes, 0)
    ready = [n for n in nodes if indegree[n] == 0]
    while ready:
        node = ready.pop()
        for child in {e.child_id for e in edges.get(node, ())}:
            level[child] = max(level[child], level[node] + 1)
            indegree[child] -= 1
            if indegree[child] == 0:
                ready.append(child)
    return level


def load_inputs(location_id: int, today: date, horizon_days: int) -> PlanInputs:
    end = today + timedelta(days=horizon_days)
    edges: dict[int, list[Edge]] = defaultdict(list)
    phantoms: set[int] = set()
    for row in _rows(EDGES_SQL, _edge_params(today)):
        edge = Edge(*row)
        edges[edge.parent_id].append(edge)
        if edge.phantom:
            phantoms.add(edge.parent_id)
    demands: dict[int, list[Requirement]] = defaultdict(list)
    for item_id, so_id, promised, quantity in _rows(
        """
        SELECT l.item_id, o.id, COALESCE(p.promised_on, %s), SUM(l.quantity * l.unit_factor - l.shipped_quantity)
          FROM sales_salesorderline l JOIN sales_salesorder o ON o.id = l.sales_order_id
          LEFT JOIN discrete_mfg_salesorderpromise p ON p.sales_order_id = o.id
         WHERE o.source_id = %s AND o.state = ANY(%s) AND l.quantity * l.unit_factor > l.shipped_quantity
         GROUP BY l.item_id, o.id, p.promised_on
        """,
        [today, location_id, list(DEMAND_SO_STATES)],
    ):
        demands[item_id].append(Requirement(max(promised, today), Decimal(quantity), PegSource.SALES_ORDER, so_id))
    _consume_forecast(demands, forecast_requirements(location_id, today, end), edges, today)
    receipts: dict[int, list[Receipt]] = defaultdict(list)
    for item_id, po_id, expected, quantity in _rows(
        """
        SELECT l.item_id, p.id, COALESCE(p.expected_date, %s), SUM((l.quantity - l.received_quantity) * l.unit_factor)
          FROM purchasing_purchaseorderline l JOIN purchasing_purchaseorder p ON p.id = l.purchase_order_id
         WHERE p.destination_id = %s AND p.state = ANY(%s) AND l.quantity > l.received_quantity
         GROUP BY l.item_id, p.id, p.expected_date
        """,
        [today, location_id, list(OPEN_PO_STATES)],
    ):
        receipts[item_id].append(Receipt(expected, Decimal(quantity), "purchase_order", po_id))
    for wo_id, item_id, due, remaining in _rows(
        """
        SELECT id, item_id, COALESCE(due_date, %s), quantity - completed_quantity - scrapped_quantity
          FROM discrete_mfg_workorder
         WHERE destination_id = %s AND state = ANY(%s) AND quantity > completed_quantity + scrapped_quantity
        """,
        [today, location_id, list(OPEN_WORK_ORDER_STATES)],
    ):
        receipts[item_id].append(Receipt(due, Decimal(remaining), "work_order", wo_id))
    # A planned order the planner firmed is scheduled supply the run keeps, until its purchase order leaves
    # draft (open purchase orders are read above; a released work order is read as one from its draft on).
    for po_id, item_id, due, quantity in _rows(
        """
        SELECT p.id, p.item_id, p.due_on, p.quantity
          FROM discrete_mfg_plannedorder p JOIN discrete_mfg_mrprun r ON r.id = p.run_id
          LEFT JOIN purchasing_purchaseorder o ON p.released_document_type = 'purchase_order' AND o.id = p.released_document_id
         WHERE r.location_id = %s AND p.firmed AND NOT p.flagged
           AND (p.released_document_id IS NULL OR o.state = 'draft')
        """,
        [location_id],
    ):
        receipts[item_id].append(Receipt(due, Decimal(quantity), "planned_order", po_id))
    # Components open work orders still need are demand of their own (dependent demand already released).
    for item_id, wo_id, start, missing in _rows(
        """
        SELECT c.item_id, w.id, COALESCE(w.start_date, %s), c.required_quantity - c.issued_quantity
          FROM discrete_mfg_workordercomponent c JOIN discrete_mfg_workorder w ON w.id = c.work_order_id
         WHERE w.source_id = %s AND w.state = ANY(%s) AND c.required_quantity > c.issued_quantity
        """,
        [today, location_id, list(OPEN_WORK_ORDER_STATES)],
    ):
        demands[item_id].append(Requirement(max(start, today), Decimal(missing), PegSource.WORK_ORDER, wo_id))
    alternates = released_alternates(today)
    wanted = set(demands) | set(edges) | {e.child_id for lines in edges.values() for e in lines}
    wanted |= {alt for options in alternates.values() for alt, _ratio in options}
    items = {
        pk: (sku, Decimal(moq), Decimal(pack))
        for pk, sku, moq, pack in _rows("SELECT id, sku, moq, pack_size FROM catalog_item WHERE id = ANY(%s)", [list(wanted)])
    }
    profiles = {
        pk: (int(lead), Decimal(safety))
        for pk, lead, safety in _rows(
            "SELECT item_id, lead_time_days, safety_stock FROM discrete_mfg_mfgitem WHERE item_id = ANY(%s)", [list(wanted)]
        )
    }
    ids = list(wanted)
    # On hand plus in transit to the location (the core's position without reservations and backorders:
    # reserved stock is on hand, and its sales order counts as demand above). Read per location rather than
    # through the selectors' item list, which costs seconds of parameter binding at 20,000 items.
    stock: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for item_id, quantity in _rows(
        """
        SELECT s.item_id, SUM(s.on_hand) FROM inventory_stocklevel s JOIN locations_location l ON l.id = s.location_id
         WHERE s.location_id = %s OR (l.kind = 'transit' AND l.destination_id = %s)
         GROUP BY s.item_id
        """,
        [location_id, location_id],
    ):
        if item_id in wanted:
            stock[item_id] += Decimal(quantity)
    return PlanInputs(
        today, location_id, edges, alternates, phantoms, items, profiles, predicted_lead_times(ids), stock, receipts, demands
    )


def released_alternates(today: date) -> dict[tuple[int, int], tuple[tuple[int, Decimal], ...]]:
    """替代料 of the released lines in effect today, by (parent, primary component), in priority order."""
    options: dict[tuple[int, int], list[tuple[int, Decimal]]] = defaultdict(list)
    for parent_id, component_id, alternate_id, ratio in _rows(
        """
        SELECT b.item_id, l.component_id, a.item_id, a.ratio
          FROM discrete_mfg_bomalternate a
          JOIN discrete_mfg_bomline l ON l.id = a.line_id
          JOIN discrete_mfg_bomversion b ON b.id = l.bom_id
         WHERE b.state = 'released'
           AND (l.effective_from IS NULL OR l.effective_from <= %s) AND (l.effective_to IS NULL OR l.effective_to > %s)
         ORDER BY b.item_id, l.component_id, a.priority, a.id
        """,
        [today, today],
    ):
        options[(parent_id, component_id)].append((alternate_id, Decimal(ratio)))
    return {key: tuple(value) for key, value in options.items()}


def predicted_lead_times(item_ids: list[int]) -> dict[int, tuple[int, str]]:
    """The lead-time model's quantile (MfgSettings.lead_time_quantile), in whole days, where it has predicted."""
    quantile = MfgSettings.objects.filter(pk=1).values_list("lead_time_quantile", flat=True).first() or "p50"
    column = "p90" if quantile == "p90" else "p50"
    rows = _rows(f"SELECT item_id, {column} FROM discrete_mfg_leadtimeprediction WHERE item_id = ANY(%s)", [item_ids])
    return {pk: (int(Decimal(days).to_integral_value(ROUND_CEILING)), f"model_{column}") for pk, days in rows}


def _consume_forecast(
    demands: dict[int, list[Requirement]],
    forecast: Mapping[int, list[tuple[date, Decimal]]],
    edges: Mapping[int, list[Edge]],
    today: date,
) -> None:
    """Forecast consumption per week: booked orders use up the week's forecast, the rest is forecast demand.

    Only finished goods (items no BOM uses) carry a forecast; below them demand is dependent."""
    components = {e.child_id for lines in edges.values() for e in lines}
    for item_id, days in forecast.items():
        if item_id in components:
            continue
        weekly: dict[date, Decimal] = defaultdict(lambda: ZERO)
        for day, quantity in days:
            weekly[max(today, day - timedelta(days=day.weekday()))] += quantity
        booked: dict[date, Decimal] = defaultdict(lambda: ZERO)
        for req in demands.get(item_id, ()):
            booked[max(today, req.need_on - timedelta(days=req.need_on.weekday()))] += req.quantity
        for week, quantity in sorted(weekly.items()):
            rest = quantity - booked.get(week, ZERO)
            if rest > 0:
                demands[item_id].append(Requirement(week, rest.quantize(Q4), PegSource.FORECAST, None))


def _lot_size(quantity: Decimal, moq: Decimal, pack: Decimal) -> Decimal:
    if quantity < moq:
        quantity = moq
    if pack > 0:
        quantity = (quantity / pack).to_integral_value(ROUND_CEILING) * pack
    return quantity.quantize(Q4)


@dataclass
class Plan:
    planned: list[Planned] = field(default_factory=list)
    messages: list[MrpMessage] = field(default_factory=list)
    items_planned: int = 0


def plan(inputs: PlanInputs, settings: MfgSettings) -> Plan:
    """Net every item in low-level-code order; a planned work order's components become requirements below."""
    today = inputs.today
    requirements: dict[int, list[Requirement]] = defaultdict(list)
    for item_id, reqs in inputs.demands.items():
        requirements[item_id].extend(reqs)
    for item_id, (_lead, safety) in inputs.profiles.items():
        if safety > 0:
            requirements[item_id].append(Requirement(today, safety, PegSource.SAFETY_STOCK, None))
    levels = low_level_codes_of(inputs.edges, set(requirements) | set(inputs.receipts))
    queued = set(requirements) | set(inputs.receipts)
    queue = [(levels.get(item_id, 0), item_id) for item_id in queued]
    heapq.heapify(queue)
    result = Plan()
    keys = iter(range(1, 10**9))

    def add_requirement(item_id: int, req: Requirement, depth: int = 0) -> None:
        if item_id in inputs.phantoms and depth < 40:
            # 虚拟件: pass straight through to its components at the same date, never planned itself
            for edge in inputs.edges[item_id]:
                add_requirement(edge.child_id, _scaled(req, edge, inputs), depth + 1)
            return
        requirements[item_id].append(req)
        if item_id not in queued:
            queued.add(item_id)
            heapq.heappush(queue, (levels.get(item_id, 0), item_id))

    while queue:
        _level, item_id = heapq.heappop(queue)
        reqs = sorted(requirements.pop(item_id, []), key=lambda r: r.need_on)
        if not reqs and item_id not in inputs.receipts:
            continue
        result.items_planned += 1
        planned = _net_item(item_id, reqs, inputs, settings, keys, result.messages)
        for order in planned:
            result.planned.append(order)
            if order.kind == PlannedOrderKind.WORK:
                for edge in inputs.edges[item_id]:
                    need = _scaled(
                        Requirement(order.release_on, order.quantity, PegSource.PLANNED_ORDER, order.key), edge, inputs
                    )
                    need.alternates = inputs.alternates.get((item_id, edge.child_id), ())
                    add_requirement(edge.child_id, need)
    return result


def _scaled(req: Requirement, edge: Edge, inputs: PlanInputs) -> Requirement:
    if edge.per_unit is None:
        sku = inputs.items.get(edge.child_id, (str(edge.child_id),))[0]
        raise MissingUnitConversion(
            _("Item %(sku)s has a BOM line in a unit it has no conversion for: MRP stopped and wrote nothing.") % {"sku": sku},
            sku=sku,
        )
    return Requirement(
        req.need_on, (req.quantity * Decimal(edge.per_unit)).quantize(Q4, ROUND_CEILING), req.source, req.source_id
    )


def _take_alternates(
    req: Requirement, need: Decimal, primary_sku: str, inputs: PlanInputs, messages: list[MrpMessage]
) -> Decimal:
    """The primary is short: use the alternates' stock still unclaimed, in priority order; returns what is left.

    The stock taken leaves `inputs.stock`, so the alternate's own netting (before or after this item, by low-level
    code) sees only what remains; a "use alternate" message tells the planner to issue it instead."""
    for alternate_id, ratio in req.alternates:
        if need <= 0:
            break
        free = inputs.stock.get(alternate_id, ZERO)
        if free <= 0 or ratio <= 0:
            continue
        used = min(free, (need * ratio).quantize(Q4, ROUND_CEILING))
        inputs.stock[alternate_id] = free - used
        covered = min(need, (used / ratio).quantize(Q4))
        need -= covered
        messages.append(
            MrpMessage(
                kind=MessageKind.USE_ALTERNATE,
                item_id=alternate_id,
                quantity=used,
                suggested_date=req.need_on,
                note=_("instead of %(quantity)s of %(sku)s") % {"quantity": f"{covered.normalize():f}", "sku": primary_sku},
            )
        )
    return need


def _net_item(
    item_id: int,
    reqs: list[Requirement],
    inputs: PlanInputs,
    settings: MfgSettings,
    keys: Iterable[int],
    messages: list[MrpMessage],
) -> list[Planned]:
    today = inputs.today
    sku, moq, pack = inputs.items.get(item_id, ("", ZERO, Decimal("1")))
    lead, source = inputs.predicted.get(item_id) or (inputs.profiles.get(item_id, (7, ZERO))[0], "fixed")
    kind = PlannedOrderKind.WORK if inputs.edges.get(item_id) else PlannedOrderKind.PURCHASE
    on_hand = inputs.stock.get(item_id, ZERO)
    receipts = sorted(inputs.receipts.get(item_id, []), key=lambda r: (r.due_on, r.document_id))
    planned: list[Planned] = []
    surplus: list[list[Any]] = []  # [planned order, quantity left] from lot sizing, used by later needs
    key_iter = iter(keys)
    open_order: Planned | None = None  # this week's order: needs in one week share one planned order
    open_week: date | None = None
    raw = ZERO
    for req in reqs:
        need = req.quantity
        take = min(on_hand, need)
        on_hand -= take
        need -= take
        for receipt in receipts:
            if need <= 0:
                break
            free = receipt.quantity - receipt.used
            if free <= 0:
                continue
            used = min(free, need)
            receipt.used += used
            need -= used
            receipt.first_need = req.need_on if receipt.first_need is None else min(receipt.first_need, req.need_on)
        if need > 0 and req.alternates:
            need = _take_alternates(req, need, sku, inputs, messages)
        week = req.need_on - timedelta(days=req.need_on.weekday())
        if open_order is not None and week != open_week:
            # the week is closed: size the order once (MOQ, pack) and offer what it brings extra to later needs
            open_order.quantity = _lot_size(raw, moq, pack)
            if open_order.quantity > raw:
                surplus.append([open_order, open_order.quantity - raw])
            open_order = None
        for entry in surplus:
            if need <= 0:
                break
            order, left = entry
            used = min(left, need)
            if used > 0:
                entry[1] -= used
                need -= used
                order.pegs.append(Requirement(req.need_on, used, req.source, req.source_id))
        if need <= 0:
            continue
        if open_order is None:
            release = req.need_on - timedelta(days=lead)
            open_order = Planned(next(key_iter), item_id, kind, ZERO, req.need_on, max(release, today), lead, source)
            open_week, raw = week, ZERO
            planned.append(open_order)
        raw += need
        open_order.quantity = raw
        open_order.pegs.append(Requirement(req.need_on, need, req.source, req.source_id))
    if open_order is not None:
        open_order.quantity = _lot_size(raw, moq, pack)
    inputs.stock[item_id] = on_hand  # what is left may still stand in for a short primary part above
    for order in planned:
        release = order.due_on - timedelta(days=order.lead_time_days)
        if release <= today:
            note = _("late by %(days)s days") % {"days": (today - release).days} if release < today else ""
            message = MrpMessage(
                kind=MessageKind.RELEASE, item_id=item_id, quantity=order.quantity, suggested_date=today, note=note
            )
        elif order.due_on <= today + timedelta(days=settings.firm_fence_days):
            message = MrpMessage(kind=MessageKind.FIRM, item_id=item_id, quantity=order.quantity, suggested_date=order.release_on)
        else:
            continue
        message.planned_key = order.key  # type: ignore[attr-defined]
        messages.append(message)
    tolerance = timedelta(days=settings.reschedule_tolerance_days)
    for receipt in receipts:
        base = {
            "item_id": item_id,
            "document_type": receipt.document_type,
            "document_id": receipt.document_id,
            "current_date": receipt.due_on,
        }
        if receipt.used <= 0:
            messages.append(MrpMessage(kind=MessageKind.CANCEL, quantity=receipt.quantity, note=_("no demand needs it"), **base))
        elif receipt.first_need is not None and receipt.due_on > receipt.first_need:
            messages.append(
                MrpMessage(kind=MessageKind.RESCHEDULE_IN, quantity=receipt.used, suggested_date=receipt.first_need, **base)
            )
        elif receipt.first_need is not None and receipt.first_need > receipt.due_on + tolerance:
            messages.append(
                MrpMessage(kind=MessageKind.RESCHEDULE_OUT, quantity=receipt.used, suggested_date=receipt.first_need, **base)
            )
    return planned


def run_mrp(
    location_id: int, *, actor: Actor | str = "system", today: date | None = None, run_key: str | None = None
) -> MrpResult:
    """Plan the location; a second run on the same day (same key) returns the first and writes nothing."""
    today = today or timezone.localdate()
    run_key = run_key or f"mrp:{location_id}:{today.isoformat()}"
    existing = MrpRun.objects.filter(run_key=run_key).first()
    if existing is not None:
        return MrpResult(existing, created=False)
    settings = MfgSettings.objects.filter(pk=1).first() or MfgSettings(pk=1)
    inputs = load_inputs(location_id, today, settings.planning_horizon_days)
    result = plan(inputs, settings)  # raises before anything is written (missing unit conversion)
    try:
        with transaction.atomic():
            run = MrpRun.objects.create(run_key=run_key, location_id=location_id, run_on=today, actor=actor_label(actor))
            _write(run, result)
    except IntegrityError:  # a concurrent run with the same key won: return it
        return MrpResult(MrpRun.objects.get(run_key=run_key), created=False)
    return MrpResult(run, created=True)


def _new_ids(table: str, count: int) -> list[int]:
    """Draw `count` primary keys from the table's sequence in one query (rows then go in by COPY)."""
    if not count:
        return []
    return [
        row[0] for row in _rows(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s)", [count])
    ]


def _copy(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Bulk write by COPY: 100,000 planned orders and their pegs in about a second, not a minute of INSERTs."""
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg 3
        quoted = ", ".join(f'"{column}"' for column in columns)  # current_date is a reserved word
        with raw.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def _write(run: MrpRun, result: Plan) -> int:
    ids = _new_ids("discrete_mfg_plannedorder", len(result.planned))
    by_key = {p.key: pk for p, pk in zip(result.planned, ids, strict=True)}
    _copy(
        "discrete_mfg_plannedorder",
        (
            "id",
            "run_id",
            "item_id",
            "kind",
            "quantity",
            "release_on",
            "due_on",
            "lead_time_days",
            "lead_time_source",
            "firmed",
            "flagged",
            "flag_reason",
            "released_document_type",
            "released_by",
        ),
        (
            (
                by_key[p.key],
                run.pk,
                p.item_id,
                p.kind,
                p.quantity,
                p.release_on,
                p.due_on,
                p.lead_time_days,
                p.lead_time_source,
                False,
                False,
                "",
                "",
                "",
            )
            for p in result.planned
        ),
    )
    _copy(
        "discrete_mfg_pegging",
        ("planned_order_id", "source", "source_id", "quantity", "need_on"),
        (
            (
                by_key[p.key],
                peg.source,
                by_key[peg.source_id] if peg.source == PegSource.PLANNED_ORDER and peg.source_id else peg.source_id,
                peg.quantity,
                peg.need_on,
            )
            for p in result.planned
            for peg in p.pegs
        ),
    )
    now = timezone.now()
    _copy(
        "discrete_mfg_mrpmessage",
        (
            "run_id",
            "kind",
            "item_id",
            "planned_order_id",
            "document_type",
            "document_id",
            "current_date",
            "suggested_date",
            "quantity",
            "note",
            "created_at",
        ),
        (
            (
                run.pk,
                m.kind,
                m.item_id,
                by_key.get(getattr(m, "planned_key", -1)),
                m.document_type,
                m.document_id,
                m.current_date,
                m.suggested_date,
                m.quantity,
                str(m.note),
                now,
            )
            for m in result.messages
        ),
    )
    run.items_planned, run.planned_order_count, run.message_count = result.items_planned, len(ids), len(result.messages)
    run.finished_at = timezone.now()
    run.save(update_fields=["items_planned", "planned_order_count", "message_count", "finished_at"])
    # The manufacturing rule pack judges the planned orders (expedite, CNY window, cancelled demand) from this event.
    record_event("mrp.planned", "mrp_run", run.pk, actor=run.actor, payload={"run_id": run.pk, "planned": len(ids)})
    return len(ids)


def pegged_chain(planned_order_ids: Iterable[int]) -> set[int]:
    """The planned orders and every planned order below them (pegged to them), in one recursive query."""
    rows = _rows(
        """
        WITH RECURSIVE chain(id) AS (
            SELECT unnest(%s::bigint[])
            UNION
            SELECT g.planned_order_id
              FROM discrete_mfg_pegging g JOIN chain c ON g.source = 'planned_order' AND g.source_id = c.id
        ) SELECT id FROM chain
        """,
        [list(planned_order_ids)],
    )
    return {row[0] for row in rows}


@transaction.atomic
def flag_cancelled_sales_order(sales_order_id: int, *, number: str = "") -> int:
    """A cancelled customer order: flag the supply pegged to it (and below it) at once, with a cancel message.

    Idempotent: supply already flagged is left alone, so a redelivered event adds nothing."""
    direct = list(
        Pegging.objects.filter(source=PegSource.SALES_ORDER, source_id=sales_order_id).values_list("planned_order_id", flat=True)
    )
    if not direct:
        return 0
    chain = pegged_chain(direct)
    number = (
        number or SalesOrder.objects.filter(pk=sales_order_id).values_list("number", flat=True).first() or str(sales_order_id)
    )
    reason = _("sales order %(number)s was cancelled") % {"number": number}
    orders = list(PlannedOrder.objects.select_for_update().filter(pk__in=chain, flagged=False).order_by("pk"))
    for order in orders:
        order.flagged, order.flag_reason = True, reason[:200]
    PlannedOrder.objects.bulk_update(orders, ["flagged", "flag_reason"])
    MrpMessage.objects.bulk_create(
        [
            MrpMessage(
                run_id=o.run_id,
                kind=MessageKind.CANCEL,
                item_id=o.item_id,
                planned_order=o,
                quantity=o.quantity,
                note=reason[:300],
            )
            for o in orders
        ]
    )
    from verticals.discrete_mfg.models import WorkOrder

    for work_order in WorkOrder.objects.filter(planned_order_id__in=[o.pk for o in orders], state__in=OPEN_WORK_ORDER_STATES):
        MrpMessage.objects.create(
            kind=MessageKind.CANCEL,
            item_id=work_order.item_id,
            document_type="work_order",
            document_id=work_order.pk,
            quantity=work_order.open_quantity,
            note=reason[:300],
        )
    return len(orders)


def on_domain_event(event: Any) -> None:
    """Outbox consumer: a sales order's cancellation reaches planning (and purchasing) at once."""
    if event.event_type == "sales_order.cancelled":
        flag_cancelled_sales_order(event.subject_id, number=str((event.payload or {}).get("number", "")))
