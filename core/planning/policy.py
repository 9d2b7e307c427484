"""Replenishment policy math (pure functions, Decimal in and out): lead-time demand, safety stock, reorder point.

Notation: d = mean daily demand, σ_d = its daily standard deviation, L = mean lead time (days), σ_L = its
standard deviation. Demand over the lead time has mean L·d and variance L·σ_d² + d²·σ_L² (demand and lead
time independent). σ_d comes from the forecast band: P10 and P90 of a normal lie 1.2816 σ either side of the
median, so σ_d = (P90 − P10) / (2 · 1.2816).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from statistics import NormalDist

ZERO = Decimal("0")
ONE = Decimal("1")
HUNDRED = Decimal("100")
Q4 = Decimal("0.0001")
Z_P90 = Decimal("1.2816")
# Without learned lead times we assume the supplier is off by a quarter of the declared lead time (1σ).
DECLARED_LEAD_TIME_CV = Decimal("0.25")
# Cycle service level by ABC (value) × XYZ (variability) class; a ServiceLevelPolicy row overrides one.
DEFAULT_SERVICE_LEVELS: dict[str, Decimal] = {
    "AX": Decimal("0.98"),
    "AY": Decimal("0.97"),
    "AZ": Decimal("0.95"),
    "BX": Decimal("0.96"),
    "BY": Decimal("0.95"),
    "BZ": Decimal("0.93"),
    "CX": Decimal("0.93"),
    "CY": Decimal("0.92"),
    "CZ": Decimal("0.90"),
}
UNCLASSIFIED_SERVICE_LEVEL = Decimal("0.95")


@dataclass(frozen=True)
class DailyBand:
    p10: Decimal
    p50: Decimal
    p90: Decimal


@dataclass(frozen=True)
class LeadTime:
    mean_days: Decimal
    std_days: Decimal


@dataclass(frozen=True)
class PolicyFigures:
    daily_demand: Decimal
    daily_sigma: Decimal
    lead_time_demand: Decimal  # expected demand over the lead time
    lead_time_sigma: Decimal  # σ of demand over the lead time
    safety_stock: Decimal
    reorder_point: Decimal
    order_up_to: Decimal


def _q(value: Decimal) -> Decimal:
    return value.quantize(Q4, rounding=ROUND_HALF_UP)


def sqrt(value: Decimal) -> Decimal:
    return value.sqrt() if value > 0 else ZERO


def z_score(service_level: Decimal) -> Decimal:
    """The standard normal quantile for a cycle service level (0.95 → 1.6449)."""
    if not ZERO < service_level < 1:
        raise ValueError(f"A service level lies strictly between 0 and 1, not {service_level}.")
    return _q(Decimal(str(NormalDist().inv_cdf(float(service_level)))))


def service_level_for(abc_class: str, xyz_class: str, overrides: dict[str, Decimal] | None = None) -> Decimal:
    key = f"{abc_class or ''}{xyz_class or ''}".upper()
    if overrides and key in overrides:
        return overrides[key]
    return DEFAULT_SERVICE_LEVELS.get(key, UNCLASSIFIED_SERVICE_LEVEL)


def sigma_from_band(p10: Decimal, p90: Decimal) -> Decimal:
    return max(p90 - p10, ZERO) / (2 * Z_P90)


def daily_demand(bands: Sequence[DailyBand]) -> tuple[Decimal, Decimal]:
    """Mean daily demand and daily σ over the given days: mean P50, and the root of the mean daily variance."""
    if not bands:
        return ZERO, ZERO
    n = Decimal(len(bands))
    mean = sum((band.p50 for band in bands), ZERO) / n
    variance = sum((sigma_from_band(band.p10, band.p90) ** 2 for band in bands), ZERO) / n
    return mean, sqrt(variance)


def supplier_lead_time(
    declared_days: int | Decimal, learned_mean: Decimal | None, learned_std: Decimal | None, samples: int = 0
) -> LeadTime:
    """The learned lead time once at least two receipts measured it; else the declared one with an assumed CV."""
    if learned_mean is not None and learned_std is not None and samples >= 2:
        return LeadTime(Decimal(learned_mean), Decimal(learned_std))
    declared = Decimal(declared_days)
    return LeadTime(declared, _q(declared * DECLARED_LEAD_TIME_CV))


def policy_figures(
    bands: Sequence[DailyBand],
    lead_time: LeadTime,
    service_level: Decimal,
    review_period_days: int | Decimal,
    safety_stock_factor: Decimal = ONE,
) -> PolicyFigures:
    """Safety stock = z · σ_LTD · factor; reorder point = L·d + safety stock; order-up-to = ROP + R·d.

    `safety_stock_factor` carries temporary adjustments (1.15 for "+15% over a rainy weekend"); it moves the
    reorder point and order-up-to level with the safety stock.
    """
    d, sigma_d = daily_demand(bands)
    lead = lead_time.mean_days
    ltd = lead * d
    ltd_sigma = sqrt(lead * sigma_d**2 + d**2 * lead_time.std_days**2)
    safety = z_score(service_level) * ltd_sigma * safety_stock_factor
    rop = ltd + safety
    out = rop + Decimal(review_period_days) * d
    return PolicyFigures(
        daily_demand=_q(d),
        daily_sigma=_q(sigma_d),
        lead_time_demand=_q(ltd),
        lead_time_sigma=_q(ltd_sigma),
        safety_stock=_q(safety),
        reorder_point=_q(rop),
        order_up_to=_q(out),
    )


def adjustment_factor(percents_by_source: dict[object, Decimal]) -> Decimal:
    """One factor from temporary safety-stock adjustments: each source's percent adds up (+15% and +10% → 1.25),
    never below zero safety stock."""
    return max(ONE + sum(percents_by_source.values(), ZERO) / HUNDRED, ZERO)


def round_order_quantity(raw: Decimal, *, moq: Decimal = ZERO, pack_size: Decimal = Decimal("1")) -> Decimal:
    """Up to the minimum order quantity, then up to a whole number of packs; zero stays zero."""
    if raw <= 0:
        return ZERO
    quantity = max(raw, moq)
    if pack_size > 0:
        quantity = (quantity / pack_size).to_integral_value(rounding=ROUND_CEILING) * pack_size
    return _q(quantity)


def order_quantity(
    figures: PolicyFigures, inventory_position: Decimal, *, moq: Decimal = ZERO, pack_size: Decimal = Decimal("1")
) -> Decimal:
    """What to order now: nothing unless the position is below the reorder point, else up to order-up-to."""
    if inventory_position >= figures.reorder_point:
        return ZERO
    return round_order_quantity(figures.order_up_to - inventory_position, moq=moq, pack_size=pack_size)


def stockout_probability(mean: Decimal, sigma: Decimal, position: Decimal) -> Decimal:
    """P(demand over the lead time > position) under a normal with the given mean and σ."""
    if sigma <= 0:
        return Decimal("1") if mean > position else ZERO
    p = 1 - NormalDist(float(mean), float(sigma)).cdf(float(position))
    return _q(Decimal(str(p)))
