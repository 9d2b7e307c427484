"""Inventory Health Index (IHI, 库存健康指数): a 0–100 score per item × location, with rollups.

Each component is 0–100, higher is healthier:
- cover: days of cover (on hand ÷ mean daily demand) against the target (lead time + review period);
  100 at or above target, falling linearly to 0 with no stock.
- stockout: 100 × (1 − P(lead-time demand > inventory position)), lead-time demand normal (see policy.py).
- excess_ageing: the worse of excess (100 up to 2× target cover, 0 at 4×; stock without demand is 0) and
  ageing (100 when the item sold here within 30 days, 0 after 180 days without a sale).
- expiry: 100 × (1 − quantity that will expire unsold ÷ quantity in dated lots); lots sell first-expiry-first
  at the mean daily demand.
- accuracy: 100 × (1 − WAPE) of the past 28 days' forecasts against actual sales; left out (and the other
  weights renormalised) when there are no actuals yet.
The index is the weighted mean of the components (WEIGHTS). Rollups per location and per tenant weight each
item × location by its stock value (on hand × average cost), or equally when nothing has value.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import F, Max, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from core.inventory.models import ItemValuation, StockLevel, StockMove
from core.inventory.position import inventory_positions
from core.locations.models import LocationKind
from core.planning import policy, selectors
from core.planning.models import DemandForecast, SourcingRule
from core.planning.services import lead_time_of

ZERO = Decimal("0")
HUNDRED = Decimal("100")
WEIGHTS: dict[str, Decimal] = {
    "cover": Decimal("0.20"),
    "stockout": Decimal("0.30"),
    "excess_ageing": Decimal("0.20"),
    "expiry": Decimal("0.15"),
    "accuracy": Decimal("0.15"),
}
DEFAULT_TARGET_COVER_DAYS = Decimal("14")
ACCURACY_WINDOW_DAYS = 28
FRESH_SALE_DAYS = Decimal("30")
STALE_SALE_DAYS = Decimal("180")


@dataclass(frozen=True)
class HealthInputs:
    on_hand: Decimal
    position: Decimal
    daily_demand: Decimal
    daily_sigma: Decimal
    lead_time: policy.LeadTime
    target_cover_days: Decimal
    stock_value: Decimal = ZERO
    days_since_last_sale: Decimal | None = None  # None: never sold here
    lots: Sequence[tuple[Decimal, Decimal]] = ()  # (quantity, days until expiry) of dated lots
    forecast_total: Decimal | None = None  # Σ P50 over days with actuals
    actual_total: Decimal | None = None
    absolute_error: Decimal | None = None  # Σ |actual − P50|


@dataclass(frozen=True)
class HealthScore:
    item_id: int
    location_id: int
    score: Decimal
    components: dict[str, Decimal | None]
    stock_value: Decimal = ZERO
    cover_days: Decimal | None = None
    stockout_probability: Decimal = ZERO
    details: dict[str, str] = field(default_factory=dict)


def _pct(value: Decimal) -> Decimal:
    return min(max(value, ZERO), HUNDRED).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def cover_score(on_hand: Decimal, daily_demand: Decimal, target_days: Decimal) -> Decimal:
    if daily_demand <= 0 or target_days <= 0:
        return HUNDRED if on_hand > 0 or daily_demand <= 0 else ZERO
    return _pct(HUNDRED * (on_hand / daily_demand) / target_days)


def excess_ageing_score(inputs: HealthInputs) -> Decimal:
    if inputs.on_hand <= 0:
        return HUNDRED
    if inputs.daily_demand <= 0:
        excess = ZERO  # stock with no demand at all
    else:
        ratio = inputs.on_hand / (inputs.daily_demand * inputs.target_cover_days)
        excess = HUNDRED if ratio <= 2 else _pct(HUNDRED - 50 * (ratio - 2))
    days = inputs.days_since_last_sale
    if days is None:
        ageing = ZERO if inputs.daily_demand <= 0 else HUNDRED  # new stock with demand ahead is not aged
    elif days <= FRESH_SALE_DAYS:
        ageing = HUNDRED
    else:
        ageing = _pct(HUNDRED * (STALE_SALE_DAYS - days) / (STALE_SALE_DAYS - FRESH_SALE_DAYS))
    return min(_pct(excess), ageing)


def expiry_score(lots: Sequence[tuple[Decimal, Decimal]], daily_demand: Decimal) -> Decimal:
    """First-expiry-first: each lot sells what demand up to its expiry leaves after the earlier lots."""
    total = sum((quantity for quantity, _ in lots), ZERO)
    if total <= 0:
        return HUNDRED
    sold_before = ZERO
    at_risk = ZERO
    for quantity, days in sorted(lots, key=lambda lot: lot[1]):
        capacity = max(daily_demand * max(days, ZERO) - sold_before, ZERO)
        sold = min(quantity, capacity)
        sold_before += sold
        at_risk += quantity - sold
    return _pct(HUNDRED * (1 - at_risk / total))


def accuracy_score(inputs: HealthInputs) -> Decimal | None:
    if inputs.actual_total is None or inputs.absolute_error is None:
        return None
    if inputs.actual_total <= 0:
        return HUNDRED if inputs.absolute_error <= 0 else ZERO
    return _pct(HUNDRED * (1 - inputs.absolute_error / inputs.actual_total))


def health_score(item_id: int, location_id: int, inputs: HealthInputs) -> HealthScore:
    lead = inputs.lead_time
    ltd = lead.mean_days * inputs.daily_demand
    ltd_sigma = policy.sqrt(lead.mean_days * inputs.daily_sigma**2 + inputs.daily_demand**2 * lead.std_days**2)
    p_out = policy.stockout_probability(ltd, ltd_sigma, inputs.position)
    components: dict[str, Decimal | None] = {
        "cover": cover_score(inputs.on_hand, inputs.daily_demand, inputs.target_cover_days),
        "stockout": _pct(HUNDRED * (1 - p_out)),
        "excess_ageing": excess_ageing_score(inputs),
        "expiry": expiry_score(inputs.lots, inputs.daily_demand),
        "accuracy": accuracy_score(inputs),
    }
    present = {name: value for name, value in components.items() if value is not None}
    weight = sum((WEIGHTS[name] for name in present), ZERO)
    score = sum((WEIGHTS[name] * value for name, value in present.items()), ZERO) / weight
    cover_days = (inputs.on_hand / inputs.daily_demand).quantize(Decimal("0.1")) if inputs.daily_demand > 0 else None
    return HealthScore(item_id, location_id, _pct(score), components, inputs.stock_value, cover_days, p_out)


def rollup(scores: Iterable[HealthScore]) -> Decimal | None:
    """Stock-value-weighted mean of the scores (equal weights when nothing has value)."""
    scores = list(scores)
    if not scores:
        return None
    value = sum((s.stock_value for s in scores), ZERO)
    if value > 0:
        return _pct(sum((s.score * s.stock_value for s in scores), ZERO) / value)
    return _pct(sum((s.score for s in scores), ZERO) / len(scores))


def inventory_health(location_ids: Sequence[int] | None = None, *, today: date | None = None) -> list[HealthScore]:
    """IHI for every item × location with stock or a sourcing rule (at the given locations), in batched queries."""
    today = today or timezone.localdate()
    now = timezone.now()
    levels = StockLevel.objects.filter(location__kind=LocationKind.INTERNAL)
    rules_qs = SourcingRule.objects.filter(active=True).select_related("supplier")
    if location_ids is not None:
        levels = levels.filter(location_id__in=location_ids)
        rules_qs = rules_qs.filter(location_id__in=location_ids)
    on_hand: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    lots: dict[tuple[int, int], list[tuple[Decimal, Decimal]]] = defaultdict(list)
    for item_id, location_id, quantity, expiry in levels.values_list("item_id", "location_id", "on_hand", "lot__expiry_date"):
        on_hand[(item_id, location_id)] += quantity
        if expiry is not None and quantity > 0:
            lots[(item_id, location_id)].append((quantity, Decimal((expiry - today).days)))
    rules = {(r.item_id, r.location_id): r for r in rules_qs}
    pairs = sorted(set(on_hand) | set(rules))
    if not pairs:
        return []
    positions = inventory_positions(pairs)
    bands = selectors.forecast_bands(pairs, today, int(DEFAULT_TARGET_COVER_DAYS) * 2)
    costs = dict(ItemValuation.objects.filter(item_id__in={i for i, _ in pairs}).values_list("item_id", "average_cost"))
    last_sale, accuracy = _sales_facts(pairs, today, now)
    scores = []
    for pair in pairs:
        rule = rules.get(pair)
        if rule is not None:
            lead = lead_time_of(rule)
            target = lead.mean_days + rule.review_period_days
        else:
            lead, target = policy.LeadTime(DEFAULT_TARGET_COVER_DAYS / 2, ZERO), DEFAULT_TARGET_COVER_DAYS
        d, sigma = policy.daily_demand(bands.get(pair, []))
        sold_at = last_sale.get(pair)
        facts = accuracy.get(pair)
        inputs = HealthInputs(
            on_hand=on_hand.get(pair, ZERO),
            position=positions.get(pair, ZERO),
            daily_demand=d,
            daily_sigma=sigma,
            lead_time=lead,
            target_cover_days=target,
            stock_value=max(on_hand.get(pair, ZERO), ZERO) * costs.get(pair[0], ZERO),
            days_since_last_sale=Decimal((now - sold_at).days) if sold_at else None,
            lots=lots.get(pair, ()),
            forecast_total=facts[0] if facts else None,
            actual_total=facts[1] if facts else None,
            absolute_error=facts[2] if facts else None,
        )
        scores.append(health_score(*pair, inputs))
    return scores


def _sales_facts(
    pairs: list[tuple[int, int]], today: date, now: datetime
) -> tuple[dict[tuple[int, int], datetime], dict[tuple[int, int], tuple[Decimal, Decimal, Decimal]]]:
    """Last sale per pair, and (Σ P50, Σ actual, Σ |error|) over the past days that had a forecast."""
    item_ids = sorted({i for i, _ in pairs})
    location_ids = sorted({loc for _, loc in pairs})
    sales = StockMove.objects.filter(
        item_id__in=item_ids, from_location_id__in=location_ids, to_location__kind=LocationKind.CUSTOMER
    )
    last_sale = {
        (r["item_id"], r["from_location_id"]): r["last"]
        for r in sales.values("item_id", "from_location_id").annotate(last=Max("occurred_at"))
    }
    start = today - timedelta(days=ACCURACY_WINDOW_DAYS)
    daily: dict[tuple[int, int, date], Decimal] = {}
    for r in (
        sales.filter(occurred_at__date__gte=start, occurred_at__date__lt=today)
        .annotate(day=TruncDate("occurred_at"))
        .values("item_id", "from_location_id", "day")
        .annotate(total=Sum("quantity"))
    ):
        daily[(r["item_id"], r["from_location_id"], r["day"])] = r["total"]
    # The forecast made closest before each day is the one that counted for it.
    forecast: dict[tuple[int, int, date], Decimal] = {}
    rows = DemandForecast.objects.filter(
        item_id__in=item_ids,
        location_id__in=location_ids,
        forecast_date__gte=start,
        forecast_date__lt=today,
        made_on__lt=F("forecast_date"),
    ).order_by("forecast_date", "made_on")
    for item_id, location_id, day, p50 in rows.values_list("item_id", "location_id", "forecast_date", "p50"):
        forecast[(item_id, location_id, day)] = p50
    accuracy: dict[tuple[int, int], tuple[Decimal, Decimal, Decimal]] = {}
    wanted = set(pairs)
    for (item_id, location_id, day), p50 in forecast.items():
        pair = (item_id, location_id)
        if pair not in wanted:
            continue
        actual = daily.get((item_id, location_id, day), ZERO)
        f, a, e = accuracy.get(pair, (ZERO, ZERO, ZERO))
        accuracy[pair] = (f + p50, a + actual, e + abs(actual - p50))
    return last_sale, accuracy
