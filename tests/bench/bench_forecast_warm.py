"""Benchmark: does the champion's network fine-tuned from the vertical's base network (warm start) beat the same
selection with a network learned from the tenant's history alone (cold start), on SHORT histories?

The base: ml_models.base_models.train_base_network("retail") — the tenant-network architecture trained on the
retail module's declared base data (real ABS retail series spread over days + the vertical's synthetic series).
The tenants: generated stores and items (ml_models.synthetic_daily; a generator the base never saw) with 90 and
180 days of history, seeds 0 and 1. Per history length: the served forecast's holdout WAPE (the 28 days after
the history) cold vs warm, the network candidate's backtest WAPE, and what was served.

Usage: .venv/bin/python tests/bench/bench_forecast_warm.py [--lengths 90,180] [--seeds 0,1]
Writes tests/bench/results/forecast_daily_warm.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import declared_specs

declared_specs.install()

from bench_forecast_daily import machine  # noqa: E402

from ml_models.base_models import train_base_network  # noqa: E402
from ml_models.champion import fit_and_forecast  # noqa: E402
from ml_models.synthetic_daily import daily_retail_panel  # noqa: E402

HORIZON = 28
RESULTS = Path(__file__).parent / "results" / "forecast_daily_warm.json"


def wape(actual: np.ndarray, forecast: np.ndarray) -> float:
    mask = np.isfinite(actual)
    return float(np.abs(actual[mask] - forecast[mask]).sum() / np.abs(actual[mask]).sum())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lengths", default="90,180")
    parser.add_argument("--seeds", default="0,1")
    parser.add_argument("--module", default="retail")
    args = parser.parse_args()
    torch.set_num_threads(1)
    started = time.perf_counter()
    base = train_base_network(args.module)
    base_seconds = time.perf_counter() - started
    print(f"base network {args.module}: {base.series} series × {base.days} days in {base_seconds:.1f} s")
    runs = []
    for seed in (int(s) for s in args.seeds.split(",")):
        for days in (int(d) for d in args.lengths.split(",")):
            panel, _ = daily_retail_panel(n_stores=20, n_items=20, days=days + HORIZON, seed=seed)
            history = panel.head(days)
            actual = panel.values[:, days:]
            row: dict[str, object] = {"seed": seed, "history_days": days}
            for mode, given in (("cold", None), ("warm", base)):
                t0 = time.perf_counter()
                result = fit_and_forecast(history, horizon=HORIZON, origins=3, seed=seed, base=given)
                network_bt = {c: round(s["network"], 4) for c, s in result.backtest.items() if "network" in s}
                row[mode] = {
                    "holdout_wape_served": round(wape(actual, result.values[..., 1]), 4),
                    "served": result.served,
                    "backtest_network": network_bt,
                    "seconds": round(time.perf_counter() - t0, 1),
                }
                print(f"seed {seed} {days} days {mode}: {row[mode]}")
            runs.append(row)
    RESULTS.write_text(
        json.dumps(
            {"machine": machine(), "base": {"module": args.module, "seconds": round(base_seconds, 1)}, "runs": runs}, indent=2
        )
    )
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
