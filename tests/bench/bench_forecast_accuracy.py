"""Benchmark: holdout accuracy of the global quantile model against the baselines on FPP3 data.

Smooth set: the last 12 months of the 152 Australian retail series. Intermittent set: the last 12 months of
the 336 PBS series, and the PBS series with ≥ 25 % zero months. Every method is scored in this run on the
same holdout. Writes tests/bench/results/forecast_accuracy.json.
"""

import json
import os
import platform
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from ml_models.datasets import aus_retail_panel, intermittent_rows, pbs_panel
from ml_models.evaluation import evaluate_holdout
from ml_models.model import ModelConfig
from ml_models.training import TrainConfig, train

HORIZON = 12
RESULTS = Path(__file__).parent / "results" / "forecast_accuracy.json"


def _round(methods: dict) -> dict:
    return {m: {k: round(float(v), 4) for k, v in figures.items()} for m, figures in methods.items()}


def run_dataset(name: str, panel, train_config: TrainConfig) -> dict:
    history = panel.head(len(panel.dates) - HORIZON)
    config = ModelConfig.for_frequency("M")
    started = time.perf_counter()
    result = train(history, config, train_config)
    train_seconds = time.perf_counter() - started
    started = time.perf_counter()
    report = evaluate_holdout(panel, {"model": result.model}, HORIZON)
    eval_seconds = time.perf_counter() - started
    out = {
        "dataset": name,
        "series": report.n_series,
        "train_seconds": round(train_seconds, 1),
        "evaluate_seconds_incl_baselines": round(eval_seconds, 1),
        "epochs_run": result.epochs_run,
        "best_epoch": result.best_epoch,
        "best_baseline": report.best_baseline,
        "wape_gain_vs_best_baseline": round(
            1 - report.methods["model"]["wape"] / report.methods[report.best_baseline]["wape"], 4
        ),
        "methods": _round(report.methods),
    }
    subsets = {}
    if name == "pbs":
        rows = intermittent_rows(history.values)
        sub = evaluate_holdout(panel.subset(rows), {"model": result.model}, HORIZON)
        subsets["pbs_intermittent"] = {
            "series": sub.n_series,
            "best_baseline": sub.best_baseline,
            "wape_gain_vs_best_baseline": round(1 - sub.methods["model"]["wape"] / sub.methods[sub.best_baseline]["wape"], 4),
            "methods": _round(sub.methods),
        }
    out["subsets"] = subsets
    return out


def main() -> None:
    torch.set_num_threads(2)
    train_config = TrainConfig(max_epochs=30, samples_per_epoch=20_000, patience=4, seed=0)
    results = [run_dataset("aus_retail", aus_retail_panel(), train_config), run_dataset("pbs", pbs_panel(), train_config)]
    for res in results:
        print(f"\n== {res['dataset']} ({res['series']} series, train {res['train_seconds']} s, epochs {res['epochs_run']})")
        for table in [res, *res["subsets"].values()]:
            if table is not res:
                print(f"-- intermittent subset ({table['series']} series)")
            for method, figures in table["methods"].items():
                print(
                    f"{method:16s} WAPE {figures['wape']:.4f}  MASE {figures['mase']:.3f}  "
                    f"bias {figures['bias']:+.4f}  pinball {figures['pinball']:.4f}"
                )
            print(f"model vs best baseline ({table['best_baseline']}): WAPE gain {table['wape_gain_vs_best_baseline']:+.1%}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "machine": {
                    "platform": platform.platform(),
                    "cpu_count": os.cpu_count(),
                    "python": sys.version.split()[0],
                    "torch_threads": 2,
                },
                "horizon_months": HORIZON,
                "train_config": train_config.__dict__,
                "results": results,
            },
            indent=2,
        )
    )
    print(f"\nwrote {RESULTS}")


if __name__ == "__main__":
    main()
