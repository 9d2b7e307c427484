"""Dashboard reads: the work waiting, inventory health with its components, risk lists, expiring stock, in transit,
and the forecast band against actual daily sales, with the thresholds that decide what is listed.

The domain owns these so every edge shows the same figures: the web dashboard (core/web/views/dashboard.py) and
the GraphQL `inventoryInsights` query read them here. Every read is a fixed number of queries, whatever the data size."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Max, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.catalog.models import Item
from core.counts.selectors import cycle_counts
from core.inventory import selectors as inventory
from core.inventory.models import StockLevel
from core.locations.models import Location, LocationKind
from core.logistics.models import TransferOrder
from core.logistics.selectors import transfers
from core.planning import selectors as planning
from core.planning.health import WEIGHTS, HealthScore, inventory_health, rollup
from core.planning.models import DemandForecast
from core.purchasing.selectors import purchase_orders
from core.sales.selectors import sales_orders
from core.signals.providers import PosVelocityProvider

ZERO = Decimal("0")
LIST_SIZE = 8
# A pair is a stockout risk when lead-time demand exceeds its inventory position with this probability.
STOCKOUT_RISK_PROBABILITY = Decimal("0.2")
# Excess and ageing: the component (100 = healthy) below which a pair is listed.
EXCESS_LIST_BELOW = Decimal("60")
EXPIRY_WINDOW_DAYS = 60
CHART_PAST_DAYS = 28
CHART_FUTURE_DAYS = 14
CHART_CHOICES = 200


# --- work waiting ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkQueue:
    """Documents waiting for someone today: `count` documents in `states` (the first state is the list's filter)."""

    code: str
    states: tuple[str, ...]
    count: int


# code → (the list's selector, the states that mean "waiting"), in the order the dashboard shows them.
WORK_QUEUES: dict[str, tuple[Callable[..., QuerySet[Any]], tuple[str, ...]]] = {
    "purchase_orders_awaiting_approval": (purchase_orders, ("submitted",)),
    "purchase_orders_awaiting_goods": (purchase_orders, ("sent", "partially_received")),
    "replenishment_to_decide": (planning.proposals, ("proposed",)),
    "sales_orders_to_ship": (sales_orders, ("allocated", "picking")),
    "transfers_in_transit": (transfers, ("shipped",)),
    "counts_in_progress": (cycle_counts, ("counting",)),
}


def work_waiting() -> list[WorkQueue]:
    """One count per queue (six small queries)."""
    return [WorkQueue(code, states, select(states=states).count()) for code, (select, states) in WORK_QUEUES.items()]


# --- inventory health ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PairRow:
    """One item × location on a risk list, with the names a person reads."""

    item: Item
    location: Location
    score: HealthScore


@dataclass
class HealthSummary:
    score: Decimal | None = None
    components: dict[str, Decimal | None] = field(default_factory=dict)
    per_location: list[tuple[Location, Decimal]] = field(default_factory=list)
    stockout_risks: list[PairRow] = field(default_factory=list)
    excess: list[PairRow] = field(default_factory=list)
    pairs: int = 0


def _weighted_component(scores: Sequence[HealthScore], name: str) -> Decimal | None:
    """A component rolled up like the index: stock-value weighted, pairs without the component left out."""
    present = [(value, s.stock_value) for s in scores if (value := s.components.get(name)) is not None]
    if not present:
        return None
    weight = sum((stock_value for _value, stock_value in present), ZERO)
    if weight > 0:
        total = sum((value * stock_value for value, stock_value in present), ZERO)
        return (total / weight).quantize(Decimal("0.1"))
    return (sum((value for value, _stock_value in present), ZERO) / len(present)).quantize(Decimal("0.1"))


def health_summary(today: date | None = None) -> HealthSummary:
    """The tenant's IHI with its components, per location, and the pairs that drag it down."""
    scores = inventory_health(today=today)
    if not scores:
        return HealthSummary()
    by_location: dict[int, list[HealthScore]] = {}
    for score in scores:
        by_location.setdefault(score.location_id, []).append(score)
    locations = Location.objects.in_bulk(list(by_location))
    risky = sorted(
        (s for s in scores if s.stockout_probability >= STOCKOUT_RISK_PROBABILITY),
        key=lambda s: (-s.stockout_probability, s.item_id),
    )[:LIST_SIZE]
    # Without a forecast a pair's demand is unknown, not zero: calling its stock "excess" would flag every
    # item of a new company. Only pairs with a forecast are listed.
    forecast = _pairs_with_forecast({(s.item_id, s.location_id) for s in scores}, today or timezone.localdate())
    excess = sorted(
        (
            s
            for s in scores
            if (s.components.get("excess_ageing") or ZERO) < EXCESS_LIST_BELOW and (s.item_id, s.location_id) in forecast
        ),
        key=lambda s: (s.components["excess_ageing"], -s.stock_value, s.item_id),
    )[:LIST_SIZE]
    items = Item.objects.in_bulk({s.item_id for s in (*risky, *excess)})
    per_location = sorted(((locations[pk], rollup(group)) for pk, group in by_location.items()), key=lambda row: row[0].code)
    return HealthSummary(
        score=rollup(scores),
        components={name: _weighted_component(scores, name) for name in WEIGHTS},
        per_location=[(location, value) for location, value in per_location if value is not None],
        stockout_risks=[PairRow(items[s.item_id], locations[s.location_id], s) for s in risky],
        excess=[PairRow(items[s.item_id], locations[s.location_id], s) for s in excess],
        pairs=len(scores),
    )


def _pairs_with_forecast(pairs: set[tuple[int, int]], today: date) -> set[tuple[int, int]]:
    from core.planning.models import DemandForecast

    if not pairs:
        return set()
    rows = DemandForecast.objects.filter(
        item_id__in={item for item, _ in pairs}, location_id__in={location for _, location in pairs}, forecast_date__gte=today
    ).values_list("item_id", "location_id")
    return set(rows.distinct()) & pairs


def expiring_stock(today: date | None = None, days: int = EXPIRY_WINDOW_DAYS) -> list[StockLevel]:
    """Lots on hand at stock-holding locations that expire within `days` (or already have), soonest first."""
    today = today or timezone.localdate()
    return list(
        inventory.stock_levels()
        .filter(
            on_hand__gt=0,
            location__kind=LocationKind.INTERNAL,
            lot__expiry_date__isnull=False,
            lot__expiry_date__lt=today + timedelta(days=days),
        )
        .select_related("item", "location", "lot")
        .order_by("lot__expiry_date", "item__sku", "location__code")[:LIST_SIZE]
    )


def in_transit() -> list[TransferOrder]:
    """Transfers shipped and not yet received (在途), oldest first, with their line count."""
    return list(
        transfers(states=["shipped"], ordering="eta")
        .select_related("from_location", "to_location")
        .annotate(line_count=Count("lines"))[:LIST_SIZE]
    )


def stock_value_by_location() -> list[tuple[str, Decimal]]:
    """On hand × average cost per stock-holding location (one grouped query)."""
    rows = (
        StockLevel.objects.filter(location__kind=LocationKind.INTERNAL, on_hand__gt=0)
        .values("location__code")
        .annotate(value=Sum(_level_value()))
        .order_by("location__code")
    )
    return [(r["location__code"], (r["value"] or ZERO).quantize(Decimal("0.01"))) for r in rows]


def _level_value() -> ExpressionWrapper:
    return ExpressionWrapper(
        F("on_hand") * Coalesce(F("item__valuation__average_cost"), ZERO),
        output_field=DecimalField(max_digits=24, decimal_places=4),
    )


# --- forecast band against actuals ---------------------------------------------------------------


@dataclass(frozen=True)
class ForecastChoice:
    item_id: int
    location_id: int
    label: str

    @property
    def value(self) -> str:
        return f"{self.item_id}:{self.location_id}"


def forecast_choices(today: date | None = None) -> list[ForecastChoice]:
    """Item × location pairs forecast for today, the highest median first (one row per pair and run read,
    not the whole window, so the list stays cheap with many pairs)."""
    today = today or timezone.localdate()
    pairs = list(
        DemandForecast.objects.filter(forecast_date=today, made_on__lte=today)
        .values("item_id", "location_id")
        .annotate(volume=Max("p50"))
        .order_by("-volume", "item_id", "location_id")[:CHART_CHOICES]
    )
    items = Item.objects.in_bulk({p["item_id"] for p in pairs})
    locations = Location.objects.in_bulk({p["location_id"] for p in pairs})
    return [
        ForecastChoice(
            p["item_id"],
            p["location_id"],
            f"{items[p['item_id']].sku} {items[p['item_id']].name_zh} @ {locations[p['location_id']].code}",
        )
        for p in pairs
    ]


def _window(today: date) -> tuple[date, date]:
    return today - timedelta(days=CHART_PAST_DAYS), today + timedelta(days=CHART_FUTURE_DAYS + 1)


def forecast_series(item_id: int, location_id: int, today: date | None = None) -> dict[str, Any]:
    """Chart data: for each day of the window the band of the latest forecast made on or before that day,
    and the actual sales up to today (None for days still ahead). Two queries."""
    today = today or timezone.localdate()
    start, end = _window(today)
    bands: dict[date, tuple[Decimal, Decimal, Decimal, str]] = {}
    rows = (
        DemandForecast.objects.filter(item_id=item_id, location_id=location_id, forecast_date__gte=start, forecast_date__lt=end)
        .order_by("forecast_date", "made_on")
        .values_list("forecast_date", "made_on", "p10", "p50", "p90", "model_name", "model_version")
    )
    for day, made_on, p10, p50, p90, name, version in rows:
        if made_on <= day:  # a later run replaces an earlier one; a row made after its day is not a forecast
            bands[day] = (p10, p50, p90, f"{name} v{version}" if version else name)
    sold = PosVelocityProvider().values(item_id=item_id, location_id=location_id, start=start, end=today)
    actual = {row.day: row.values["units"] for row in sold}
    days = [start + timedelta(days=i) for i in range((end - start).days)]
    return {
        "labels": [d.isoformat() for d in days],
        "p10": [_num(bands[d][0]) if d in bands else None for d in days],
        "p50": [_num(bands[d][1]) if d in bands else None for d in days],
        "p90": [_num(bands[d][2]) if d in bands else None for d in days],
        "actual": [_num(actual.get(d, ZERO)) if d <= today else None for d in days],
        "today": today.isoformat(),
        "models": sorted({band[3] for band in bands.values() if band[3]}),
    }


def forecast_explanation(item_id: int, location_id: int, today: date | None = None) -> dict[str, Any] | None:
    """The "why this forecast" panel's data: the explanation of the pair's latest run made on or before today, its
    reference level, P50 total and one bar per feature family (translated). None without one, so no empty chart.
    One query."""
    explanation = planning.latest_explanation(item_id, location_id, on=today or timezone.localdate())
    if explanation is None:
        return None
    contributions = planning.explanation_contributions(explanation)
    name, version = explanation.model_name, explanation.model_version
    return {
        "made_on": explanation.made_on.isoformat(),
        "horizon_days": explanation.horizon_days,
        "model": f"{name} v{version}" if version else name,
        "reference": _num(explanation.reference),
        "p50_total": _num(explanation.p50_total),
        "bars": [{"family": c.family, "label": c.label, "value": _num(c.value)} for c in contributions],
    }


def _num(value: Decimal) -> float:
    # Chart.js reads numbers; the figures are daily quantities shown to one decimal, so float is exact enough.
    return float(value)


def parse_pair(raw: str | None, choices: Iterable[ForecastChoice]) -> ForecastChoice | None:
    """The chosen pair if it is one of the choices (never an arbitrary id), else the first choice."""
    choices = list(choices)
    for choice in choices:
        if choice.value == raw:
            return choice
    return choices[0] if choices else None
