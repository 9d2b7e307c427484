"""A learned combination of the network with a statistical member, the weight chosen on the validation window only.

The member is ETS, Theta, damped trend or `comb` (their equal-weight mean; ml_models.baselines). The weight is the
one that minimises WAPE over the last `horizon` periods of the *training* history: the network forecasts them
from the history before (it was early-stopped on them but never fitted to them) and the member is fitted on the
same earlier history. The holdout is never looked at. The combined median moves the
network's whole quantile band. Optionally (`criterion`) the band's lower and upper halves are then widened or
narrowed by factors chosen on the same window.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ml_models.baselines import statistical_forecasts
from ml_models.features import DemandPanel
from ml_models.metrics import coverage, pinball, wape
from ml_models.model import DemandNet
from ml_models.serving import Forecast, forecast

WEIGHT_GRID = tuple(round(float(w), 2) for w in np.linspace(0.0, 1.0, 11))
WIDTH_GRID = tuple(round(float(w), 2) for w in np.linspace(0.4, 1.6, 13))
# How a side's width is chosen on validation: "pinball" (the proper score; rewards a sharp band), "coverage"
# (the share of actuals below each quantile closest to the quantile's level: calibration itself) or None (keep
# the network's band). None by default: on the development split (the year before the holdout) neither
# criterion helped on every set — pinball sharpened retail and PBS but pushed retail's P10 coverage to 30 %
# and hurt the intermittent set; coverage helped PBS's calibration but not retail's.
WIDTH_CRITERION: str | None = None
# The statistical members a combination may use (keys of baselines.statistical_forecasts).
MEMBERS = ("ets", "theta", "damped", "comb")


@dataclass(frozen=True)
class Combination:
    network_weight: float  # the statistical member gets 1 − network_weight
    lower_width: float = 1.0  # factor on the distance from the median down to each lower quantile
    upper_width: float = 1.0  # … and up to each upper quantile
    validation_wape: dict[float, float] = field(default_factory=dict)
    member: str = "ets"

    def __post_init__(self) -> None:
        if self.member not in MEMBERS:
            raise ValueError(f"unknown combination member {self.member!r}; expected one of {MEMBERS}")


def member_forecasts(history: np.ndarray, horizon: int, season: int, member: str = "ets") -> np.ndarray:
    """The statistical member's forecast per series (N, horizon) from histories that may start with NaNs."""
    if member not in MEMBERS:
        raise ValueError(f"unknown combination member {member!r}; expected one of {MEMBERS}")
    return statistical_forecasts(history, horizon, season)[member]


def combine(
    network: np.ndarray,
    statistical: np.ndarray,
    network_weight: float,
    median_index: int,
    lower_width: float = 1.0,
    upper_width: float = 1.0,
) -> np.ndarray:
    """Shift the network's quantiles (N, H, Q) so the median is the weighted mean of both medians, and scale
    the distances below and above it. Widths ≥ 0 keep the quantiles in order."""
    median = network[..., median_index]
    combined = median + (1.0 - network_weight) * (statistical - median)
    width = np.ones(network.shape[-1])
    width[:median_index], width[median_index + 1 :] = lower_width, upper_width
    return np.maximum(combined[..., None] + (network - median[..., None]) * width, 0.0)


def fit_combination(
    model: DemandNet, history: DemandPanel, criterion: str | None = WIDTH_CRITERION, member: str = "ets"
) -> Combination:
    """Choose the network's weight against `member` on the last `horizon` periods of `history` (the validation
    window)."""
    return fit_combinations(model, history, criterion, (member,))[0]


def fit_combinations(
    model: DemandNet, history: DemandPanel, criterion: str | None = WIDTH_CRITERION, members: Sequence[str] = MEMBERS
) -> list[Combination]:
    """One combination per member, each chosen as `fit_combination` does; the network's validation forecast and
    the statistical fits are made once for all of them."""
    unknown = set(members) - set(MEMBERS)
    if unknown:
        raise ValueError(f"unknown combination member {sorted(unknown)}; expected one of {MEMBERS}")
    horizon = model.config.horizon
    cut = len(history.dates) - horizon
    past = history.head(cut)
    rows = np.flatnonzero(np.isfinite(past.values[:, -1]) & np.isfinite(history.values[:, cut:]).any(axis=1))
    if rows.size == 0:
        return [Combination(1.0, member=member) for member in members]
    past = past.subset(rows)
    actual = history.values[rows, cut:].astype(float)
    network = forecast(model, past).values[:, :horizon].astype(float)
    statistical = statistical_forecasts(past.values, horizon, past.season)
    return [_fit_member(model, actual, network, statistical[member], criterion, member) for member in members]


def _fit_member(
    model: DemandNet, actual: np.ndarray, network: np.ndarray, statistical: np.ndarray, criterion: str | None, member: str
) -> Combination:
    median = model.config.median_index
    scores = {w: wape(actual, combine(network, statistical, w, median)[..., median]) for w in WEIGHT_GRID}
    weight = min(scores, key=lambda w: (scores[w], -w))
    if criterion is None:
        return Combination(weight, validation_wape=scores, member=member)
    quantiles = tuple(model.config.quantiles)
    band = combine(network, statistical, weight, median)
    lower = _best_width(actual, band, quantiles, slice(0, median), median, criterion)
    upper = _best_width(actual, band, quantiles, slice(median + 1, None), median, criterion)
    return Combination(weight, lower, upper, scores, member)


def select_combination(combinations: list[Combination]) -> Combination:
    """The member whose combination scored best on the validation window (at its own chosen weight); ties go to
    the earlier member in MEMBERS order. Uses validation figures only, never the holdout."""
    if not combinations:
        raise ValueError("no combinations to select from")
    return min(combinations, key=lambda c: c.validation_wape.get(c.network_weight, float("inf")))


def _best_width(
    actual: np.ndarray, band: np.ndarray, quantiles: tuple[float, ...], side: slice, median: int, criterion: str = "pinball"
) -> float:
    """The width factor for one side of the band that scores best on that side's quantiles."""
    if not quantiles[side]:
        return 1.0
    centre = band[..., median : median + 1]
    levels = quantiles[side]

    def loss(width: float) -> float:
        scaled = centre + (band[..., side] - centre) * width
        if criterion == "coverage":
            return sum(abs(coverage(actual, scaled[..., j]) - level) for j, level in enumerate(levels))
        return pinball(actual, scaled, levels)

    # Ties go to 1 (the network's own band).
    return min(WIDTH_GRID, key=lambda w: (loss(w), abs(w - 1.0)))


def combined_forecast(model: DemandNet, history: DemandPanel, combination: Combination) -> Forecast:
    """The network's forecast moved towards the combination's statistical member by the learned weight."""
    result = forecast(model, history)
    if combination.network_weight >= 1.0 and combination.lower_width == combination.upper_width == 1.0:
        return result
    statistical = member_forecasts(history.values, model.config.horizon, history.season, combination.member)
    values = combine(
        result.values.astype(float),
        statistical,
        combination.network_weight,
        model.config.median_index,
        combination.lower_width,
        combination.upper_width,
    )
    return Forecast(result.keys, result.dates, result.quantiles, values.astype(np.float32))
