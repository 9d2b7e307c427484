"""Benchmark: what per-forecast explanations (integrated gradients, ml_models.explain) add to a forecast refresh.

For 300 series × 1 year of daily history: `explain()` at 8, 16 and 32 integration steps against the batch
forecast alone (baseline, same run, same model; 3,000 series at 32 steps too, to see it scale), and how
complete each is: |reference + Σ contributions − P50 total| relative to the P50 total (integrated gradients
are exact only in the limit of many steps).
Writes tests/bench/results/forecast_explanations.json.
"""

import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import declared_specs

declared_specs.install()  # module codes resolve to the specs the modules declare (no Django here)

from ml_models.explain import explain  # noqa: E402
from ml_models.model import ModelConfig  # noqa: E402
from ml_models.serving import forecast  # noqa: E402
from ml_models.synthetic import synthetic_panel  # noqa: E402
from ml_models.training import TrainConfig, train  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "forecast_explanations.json"
N_SERIES = 300
STEPS = (8, 16, 32)


def timed(fn):
    started = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - started


def completeness(rows: list[dict]) -> tuple[float, float]:
    """Median and worst |reference + Σ contributions − P50 total| / P50 total over the series."""
    errors = [
        abs(r["reference_total"] + sum(r["contributions"].values()) - r["p50_total"]) / max(abs(r["p50_total"]), 1e-9)
        for r in rows
    ]
    return float(np.median(errors)), float(np.max(errors))


def main() -> None:
    torch.set_num_threads(1)  # the refresh runs in one Celery worker process; a shared box gains little from 2
    # A small trained model stands in for a tenant's champion (its training is not part of the figures).
    model = train(
        synthetic_panel("retail", 100, 400, seed=1),
        ModelConfig.for_frequency("D"),
        TrainConfig(max_epochs=2, samples_per_epoch=5_000),
    ).model
    panel = synthetic_panel("retail", N_SERIES, 365, seed=2)
    fc, forecast_seconds = timed(lambda: forecast(model, panel))
    figures: dict[str, object] = {"series": N_SERIES, "baseline_forecast_seconds": round(forecast_seconds, 3)}
    for steps in STEPS:
        rows, seconds = timed(lambda steps=steps: explain(model, panel, steps=steps))
        median, worst = completeness(rows)
        figures[f"explain_seconds_steps_{steps}"] = round(seconds, 3)
        figures[f"completeness_error_median_steps_{steps}"] = round(median, 5)
        figures[f"completeness_error_max_steps_{steps}"] = round(worst, 5)
    # The explained P50 total against the forecast's own P50 summed over the horizon (same model, same inputs).
    p50_sums = fc.median.sum(axis=1)
    gaps = [abs(r["p50_total"] - float(p50_sums[i])) / max(float(p50_sums[i]), 1e-9) for i, r in enumerate(rows)]
    figures["p50_total_vs_forecast_max_relative_gap"] = round(float(np.max(gaps)), 6)
    larger = synthetic_panel("retail", 10 * N_SERIES, 365, seed=3)
    _, larger_forecast_seconds = timed(lambda: forecast(model, larger))
    _, larger_explain_seconds = timed(lambda: explain(model, larger, steps=32))
    figures["baseline_forecast_seconds_3000"] = round(larger_forecast_seconds, 3)
    figures["explain_seconds_steps_32_3000"] = round(larger_explain_seconds, 3)
    for key, value in figures.items():
        print(f"{key:45s} {value}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "machine": {
                    "platform": platform.platform(),
                    "cpu_count": os.cpu_count(),
                    "python": sys.version.split()[0],
                    "torch_threads": torch.get_num_threads(),
                    "load_average_at_end": os.getloadavg(),
                },
                "figures": figures,
            },
            indent=2,
        )
    )
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
