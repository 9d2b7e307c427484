"""Set-based reads of the product structure: cycles, where-used, low-level codes, cost roll-up, lead times.

Each answer is a bounded number of queries whatever the size of the catalog (recursive CTEs over the
released BOM lines), so an ECO on a part used in 500 assemblies answers in well under a second.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _

from core.catalog.models import Item
from verticals.discrete_mfg.exceptions import BomCycle, MissingUnitConversion
from verticals.discrete_mfg.models import BomState

ZERO = Decimal("0")
HUNDRED = Decimal("100")
MAX_DEPTH = 40  # deeper than any real product; stops a cycle that slipped past the checks from looping forever

# Released BOM edges: one row per (parent, component) line with its quantity in the component's base units
# per one base unit of the parent, scrap included. A line in a unit the component cannot convert gives NULL.
EDGES_SQL = """
    SELECT b.item_id AS parent_id, l.component_id AS child_id, b.id AS bom_id, b.phantom AS phantom,
           l.quantity * (1 + l.scrap_percent / 100) / b.output_quantity
             * CASE WHEN l.unit_id = ci.base_unit_id THEN 1 ELSE uc.factor END AS per_unit
      FROM discrete_mfg_bomline l
      JOIN discrete_mfg_bomversion b ON b.id = l.bom_id
      JOIN catalog_item ci ON ci.id = l.component_id
      LEFT JOIN catalog_unitconversion uc ON uc.item_id = l.component_id AND uc.unit_id = l.unit_id
     WHERE (b.state = 'released' OR b.id = ANY(%(extra)s))
       AND NOT b.id = ANY(%(hidden)s)
       AND (l.effective_from IS NULL OR l.effective_from <= %(on)s)
       AND (l.effective_to IS NULL OR l.effective_to > %(on)s)
"""


@dataclass(frozen=True)
class Edge:
    parent_id: int
    child_id: int
    bom_id: int
    phantom: bool  # the parent's version is a phantom
    per_unit: Decimal | None


def _rows(sql: str, params: Mapping[str, Any] | list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _edge_params(on: Any, extra: Iterable[int] = (), hidden: Iterable[int] = ()) -> dict[str, Any]:
    return {"on": on, "extra": list(extra) or [0], "hidden": list(hidden) or [0]}


# The same filters as EDGES_SQL on a version `b` and its line `l`, for the recursive walks below: they join the
# base tables through their indexes (bomline by component, bomversion by item and state) and so touch only the
# rows they reach, where a recursive walk over EDGES_SQL would materialise every edge of the catalog first.
_LIVE_LINE = """
    (b.state = 'released' OR b.id = ANY(%(extra)s)) AND NOT b.id = ANY(%(hidden)s)
    AND (l.effective_from IS NULL OR l.effective_from <= %(on)s) AND (l.effective_to IS NULL OR l.effective_to > %(on)s)
"""


def edges_below(root_ids: Iterable[int], *, on: Any, extra: Iterable[int] = (), hidden: Iterable[int] = ()) -> list[Edge]:
    """Every released edge reachable downwards from `root_ids` (one recursive query).

    `extra` adds BOM versions (a draft under review) and `hidden` removes some (the version it replaces), so
    the same query answers "before" and "after" an ECO."""
    sql = f"""
        WITH RECURSIVE down(item_id) AS (
            SELECT unnest(%(roots)s::bigint[])
            UNION
            SELECT l.component_id
              FROM down d
              JOIN discrete_mfg_bomversion b ON b.item_id = d.item_id
              JOIN discrete_mfg_bomline l ON l.bom_id = b.id
             WHERE {_LIVE_LINE}
        )
        SELECT DISTINCT e.parent_id, e.child_id, e.bom_id, e.phantom, e.per_unit
          FROM ({EDGES_SQL}) e WHERE e.parent_id IN (SELECT item_id FROM down)
    """
    params = {**_edge_params(on, extra, hidden), "roots": list(root_ids)}
    return [Edge(*row) for row in _rows(sql, params)]


def where_used(component_id: int, *, on: Any, extra: Iterable[int] = (), hidden: Iterable[int] = ()) -> dict[int, int]:
    """Every assembly that contains `component_id` at any level: {parent item id: shallowest level (1 = direct)}."""
    sql = f"""
        WITH RECURSIVE up(item_id, depth) AS (
            SELECT b.item_id, 1
              FROM discrete_mfg_bomline l JOIN discrete_mfg_bomversion b ON b.id = l.bom_id
             WHERE l.component_id = %(component)s AND {_LIVE_LINE}
            UNION
            SELECT b.item_id, u.depth + 1
              FROM up u
              JOIN discrete_mfg_bomline l ON l.component_id = u.item_id
              JOIN discrete_mfg_bomversion b ON b.id = l.bom_id
             WHERE u.depth < {MAX_DEPTH} AND {_LIVE_LINE}
        )
        SELECT item_id, min(depth) FROM up GROUP BY item_id
    """
    return dict(_rows(sql, {**_edge_params(on, extra, hidden), "component": component_id}))


def low_level_codes(*, on: Any) -> dict[int, int]:
    """低阶码: for every item in a released BOM, the deepest level it appears at (top assemblies are 0)."""
    sql = f"""
        WITH RECURSIVE e AS ({EDGES_SQL}),
        lvl(item_id, depth) AS (
            SELECT DISTINCT e.parent_id, 0 FROM e WHERE e.parent_id NOT IN (SELECT child_id FROM e)
            UNION
            SELECT e.child_id, l.depth + 1 FROM lvl l JOIN e ON e.parent_id = l.item_id WHERE l.depth < {MAX_DEPTH}
        )
        SELECT item_id, max(depth) FROM lvl GROUP BY item_id
    """
    return dict(_rows(sql, _edge_params(on)))


def refresh_low_level_codes(*, on: Any) -> int:
    """Write the low-level codes into the planning profiles (creating missing profiles), in two statements."""
    sql = f"""
        WITH RECURSIVE e AS ({EDGES_SQL}),
        lvl(item_id, depth) AS (
            SELECT DISTINCT e.parent_id, 0 FROM e WHERE e.parent_id NOT IN (SELECT child_id FROM e)
            UNION
            SELECT e.child_id, l.depth + 1 FROM lvl l JOIN e ON e.parent_id = l.item_id WHERE l.depth < {MAX_DEPTH}
        ),
        codes AS (SELECT item_id, max(depth) AS code FROM lvl GROUP BY item_id)
        INSERT INTO discrete_mfg_mfgitem (item_id, make_or_buy, lead_time_days, safety_stock, standard_cost, low_level_code)
        SELECT c.item_id, CASE WHEN EXISTS (SELECT 1 FROM discrete_mfg_bomversion b WHERE b.item_id = c.item_id
                                             AND b.state = 'released') THEN 'make' ELSE 'buy' END,
               7, 0, 0, c.code
          FROM codes c
        ON CONFLICT (item_id) DO UPDATE SET low_level_code = EXCLUDED.low_level_code
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, _edge_params(on))
        return cursor.rowcount


def find_cycle_path(
    parent_id: int, component_id: int, *, on: Any, extra: Iterable[int] = (), hidden: Iterable[int] = ()
) -> list[int] | None:
    """The item path parent → component → … → parent if adding the line would close a cycle, else None.

    Breadth-first downwards from the component, one query per level, remembering how each item was reached."""
    if parent_id == component_id:
        return [parent_id, parent_id]
    reached_from: dict[int, int] = {component_id: parent_id}
    frontier = [component_id]
    params = _edge_params(on, extra, hidden)
    for _depth in range(MAX_DEPTH):
        if not frontier:
            return None
        rows = _rows(
            f"SELECT DISTINCT e.parent_id, e.child_id FROM ({EDGES_SQL}) e WHERE e.parent_id = ANY(%(frontier)s)",
            {**params, "frontier": frontier},
        )
        next_frontier: list[int] = []
        for parent, child in rows:
            if child == parent_id:
                return _ordered_path(parent_id, parent, reached_from)
            if child not in reached_from:
                reached_from[child] = parent
                next_frontier.append(child)
        frontier = next_frontier
    return None


def _ordered_path(parent_id: int, last: int, reached_from: dict[int, int]) -> list[int]:
    """parent → component → … → last → parent, from the breadth-first back-pointers."""
    chain = [last]
    while reached_from[chain[-1]] != parent_id:
        chain.append(reached_from[chain[-1]])
    return [parent_id, *reversed(chain), parent_id]


def refuse_cycle(parent_id: int, component_id: int, *, on: Any, extra: Iterable[int] = (), hidden: Iterable[int] = ()) -> None:
    path = find_cycle_path(parent_id, component_id, on=on, extra=extra, hidden=hidden)
    if path is None:
        return
    skus = dict(Item.objects.filter(pk__in=set(path)).values_list("pk", "sku"))
    names = [skus.get(pk, str(pk)) for pk in path]
    raise BomCycle(_("This line would make a cycle in the BOM: %(path)s.") % {"path": " → ".join(names)}, path=names)


def check_conversions(edges: Iterable[Edge]) -> None:
    """Refuse a structure with a line whose unit the component cannot convert, naming the component."""
    missing = sorted({edge.child_id for edge in edges if edge.per_unit is None})
    if missing:
        item = Item.objects.get(pk=missing[0])
        raise MissingUnitConversion(
            _("Item %(sku)s has a BOM line in a unit it has no conversion for: add the conversion first.") % {"sku": item.sku},
            sku=item.sku,
        )


@dataclass(frozen=True)
class ItemPlanning:
    make: bool
    lead_time_days: int
    standard_cost: Decimal


def planning_profiles(item_ids: Iterable[int]) -> dict[int, ItemPlanning]:
    """Make/buy, fixed lead time and standard cost per item (average cost when no standard is set)."""
    sql = """
        SELECT i.id, COALESCE(m.make_or_buy, 'buy'), COALESCE(m.lead_time_days, 7),
               COALESCE(NULLIF(m.standard_cost, 0), v.average_cost, 0)
          FROM catalog_item i
          LEFT JOIN discrete_mfg_mfgitem m ON m.item_id = i.id
          LEFT JOIN inventory_itemvaluation v ON v.item_id = i.id
         WHERE i.id = ANY(%s)
    """
    return {row[0]: ItemPlanning(row[1] == "make", int(row[2]), Decimal(row[3])) for row in _rows(sql, [list(item_ids)])}


def routing_costs(bom_ids: Iterable[int]) -> dict[int, Decimal]:
    """Labour and machine cost per base unit of output for each BOM version (run time plus setup spread over the batch).

    Only versions with a routing are returned (callers read a missing one as zero): most of a big catalog's
    versions have none, and fetching a zero row for each of them was a third of the impact report's time."""
    sql = """
        SELECT b.id, SUM((o.run_minutes + o.setup_minutes / b.output_quantity) * w.hourly_rate / 60)
          FROM discrete_mfg_bomversion b
          JOIN discrete_mfg_routingoperation o ON o.bom_id = b.id
          JOIN discrete_mfg_workcentre w ON w.id = o.work_centre_id
         WHERE b.id = ANY(%s) GROUP BY b.id
    """
    return {bom_id: Decimal(cost) for bom_id, cost in _rows(sql, [list(bom_ids)])}


def children_by_parent(edges: Iterable[Edge]) -> dict[int, list[Edge]]:
    grouped: dict[int, list[Edge]] = defaultdict(list)
    for edge in edges:
        grouped[edge.parent_id].append(edge)
    return grouped


def rolled_up_costs(
    root_ids: Iterable[int], *, on: Any, extra: Iterable[int] = (), hidden: Iterable[int] = ()
) -> dict[int, Decimal]:
    """成本卷积: the unit cost of every item at or below `root_ids`: materials (scrap included) plus routing."""
    roots = list(root_ids)
    edges = edges_below(roots, on=on, extra=extra, hidden=hidden)
    check_conversions(edges)
    items = set(roots) | {e.child_id for e in edges}
    return costs_from_edges(roots, edges, planning_profiles(items), routing_costs({e.bom_id for e in edges}))


def costs_from_edges(
    roots: Iterable[int],
    edges: Iterable[Edge],
    profiles: Mapping[int, ItemPlanning],
    routing: Mapping[int, Decimal],
    known: Mapping[int, Decimal] | None = None,
) -> dict[int, Decimal]:
    """The roll-up over edges already loaded (the impact report computes "before" and "after" from one read).

    `known` seeds costs that cannot have changed (everything not above the changed assembly)."""
    below = children_by_parent(edges)
    costs: dict[int, Decimal] = dict(known or {})

    def cost_of(item_id: int, depth: int = 0) -> Decimal:
        if item_id in costs:
            return costs[item_id]
        lines = below.get(item_id)
        if not lines or depth > MAX_DEPTH:
            value = profiles[item_id].standard_cost if item_id in profiles else ZERO
        else:
            value = routing.get(lines[0].bom_id, ZERO) + sum(
                (Decimal(edge.per_unit or 0) * cost_of(edge.child_id, depth + 1) for edge in lines), ZERO
            )
        costs[item_id] = value.quantize(Decimal("0.000001"))
        return costs[item_id]

    for root in roots:
        cost_of(root)
    return costs


def cumulative_lead_times(
    root_ids: Iterable[int],
    *,
    on: Any,
    extra: Iterable[int] = (),
    hidden: Iterable[int] = (),
    lead_times: Mapping[int, int] | None = None,
) -> dict[int, int]:
    """累计提前期: the longest chain of lead times below each item (a phantom adds no time of its own)."""
    roots = list(root_ids)
    edges = edges_below(roots, on=on, extra=extra, hidden=hidden)
    items = set(roots) | {e.child_id for e in edges}
    return lead_times_from_edges(roots, edges, planning_profiles(items), lead_times)


def lead_times_from_edges(
    roots: Iterable[int],
    edges: Iterable[Edge],
    profiles: Mapping[int, ItemPlanning],
    lead_times: Mapping[int, int] | None = None,
    known: Mapping[int, int] | None = None,
) -> dict[int, int]:
    edges = list(edges)
    below = children_by_parent(edges)
    phantoms = {e.parent_id for e in edges if e.phantom}
    own = {pk: (lead_times or {}).get(pk, profile.lead_time_days) for pk, profile in profiles.items()}
    result: dict[int, int] = dict(known or {})

    def cumulative(item_id: int, depth: int = 0) -> int:
        if item_id not in result:
            lines = below.get(item_id, [])
            deepest = max((cumulative(edge.child_id, depth + 1) for edge in lines), default=0) if depth < MAX_DEPTH else 0
            result[item_id] = (0 if item_id in phantoms else own.get(item_id, 0)) + deepest
        return result[item_id]

    for root in roots:
        cumulative(root)
    return result


def released_version_id(item_id: int) -> int | None:
    rows = _rows(
        "SELECT id FROM discrete_mfg_bomversion WHERE item_id = %s AND state = %s ORDER BY version DESC LIMIT 1",
        [item_id, BomState.RELEASED.value],
    )
    return rows[0][0] if rows else None
