"""Benchmark: fine-tuning 500 series × 2 years of daily history, and batch inference for 10,000 series.

Fine-tuning is timed on 1 and on 2 torch threads (on a busy shared box 2 threads can be slower).
Baselines measured in the same run: fitting ETS (the strongest classical
baseline) on the same 500 series, and the vectorised seasonal naive over the same 10,000 series.
Writes tests/bench/results/training_speed.json.
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

from ml_models.baselines import ets, seasonal_naive  # noqa: E402
from ml_models.model import ModelConfig  # noqa: E402
from ml_models.serving import forecast  # noqa: E402
from ml_models.synthetic import synthetic_panel  # noqa: E402
from ml_models.training import TrainConfig, fine_tune, train  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "training_speed.json"


def timed(fn):
    started = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - started


def main() -> None:
    config = ModelConfig.for_frequency("D")
    # A small pre-trained base stands in for the registered vertical model (not part of the target figure).
    base_panel = synthetic_panel("retail", 200, 730, seed=1)
    base, base_seconds = timed(lambda: train(base_panel, config, TrainConfig(max_epochs=3, samples_per_epoch=10_000)).model)

    tenant = synthetic_panel("retail", 500, 730, seed=2)
    tune_seconds: dict[int, float] = {}
    for threads in (1, 2):
        steps: list[tuple[int, str]] = []
        tuned, tune_seconds[threads] = timed(
            lambda threads=threads, steps=steps: fine_tune(
                base, tenant, epochs=5, samples_per_epoch=20_000, progress=lambda p, s: steps.append((p, s)), threads=threads
            )
        )
    torch.set_num_threads(1)
    history = np.nan_to_num(tenant.values.astype(float))
    _, ets_seconds = timed(lambda: [ets(row, 28, 7) for row in history])

    many = synthetic_panel("retail", 10_000, 730, seed=3)
    fc, infer_seconds = timed(lambda: forecast(tuned.model, many))
    _, naive_seconds = timed(lambda: seasonal_naive(many.values, 28, 7))

    figures = {
        "base_pretrain_seconds_200x730": round(base_seconds, 1),
        "fine_tune_seconds_500x730_1_thread": round(tune_seconds[1], 1),
        "fine_tune_seconds_500x730_2_threads": round(tune_seconds[2], 1),
        "fine_tune_epochs_run": tuned.epochs_run,
        "fine_tune_samples_per_epoch": 20_000,
        "fine_tune_target_seconds": 60,
        "baseline_ets_fit_seconds_500x730": round(ets_seconds, 1),
        "inference_seconds_10000_series": round(infer_seconds, 2),
        "inference_output_shape": list(fc.values.shape),
        "inference_target_seconds": 30,
        "baseline_seasonal_naive_seconds_10000_series": round(naive_seconds, 3),
        "progress_reports": len(steps),
    }
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
