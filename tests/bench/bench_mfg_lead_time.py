"""Benchmark: the lead-time model, fine-tuned on a tenant's receipts, against what the core learns today
(per supplier: the empirical mean ± k·std of the days measured, k = 1.2816 for a P10–P90 band).

Data: the base model is trained on the documented generator (ml/lead_time.py, default GeneratorProfile); the
"tenant" is another draw of the generator with its own suppliers, 30% slower, a harder New Year shutdown and
more size sensitivity. Its receipts are split in time: the oldest 80% to fine-tune on, the newest 20% held back.
  pinball   mean pinball loss over P10/P50/P90, in days, on the held-back receipts (lower is better)
  coverage  share of held-back receipts inside P10–P90 (target 78–82%)
  policy    the reorder point each method sets for every held-back order at a steady 10 units/day, its P90
            lead time × demand; the baseline's k is then scaled so both policies hold the SAME average safety
            stock, and the fill rate over the actual lead times is compared (lead-time uncertainty only)

    .venv/bin/python tests/bench/bench_mfg_lead_time.py      (no database needed; ~1 minute on one core)

Writes tests/bench/results/mfg_lead_time.json. Never a pass/fail test: compare with the baseline of the same run.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings.test")
os.environ.setdefault("JXC_ALLOW_GENERATED_SECRET", "1")

import django  # noqa: E402

django.setup()

RESULTS = REPO / "tests" / "bench" / "results" / "mfg_lead_time.json"
DEMAND_PER_DAY = 10.0
QUANTILES = np.array([0.1, 0.5, 0.9])


def pinball_days(pred: np.ndarray, actual: np.ndarray) -> float:
    error = actual[:, None] - pred
    return float(np.mean(np.maximum(QUANTILES * error, (QUANTILES - 1) * error)))


def coverage(pred: np.ndarray, actual: np.ndarray) -> float:
    return float(np.mean((actual >= pred[:, 0]) & (actual <= pred[:, 2])))


def policy(reorder_points: np.ndarray, actual: np.ndarray) -> tuple[float, float]:
    """(fill rate, average safety stock) when each order's reorder point must cover demand over its actual lead time."""
    demand = DEMAND_PER_DAY * actual
    shortage = np.maximum(demand - reorder_points, 0)
    fill = 1 - shortage.sum() / demand.sum()
    safety = float(np.mean(np.maximum(reorder_points - demand, 0)))
    return float(fill), safety


def main() -> None:
    import torch

    from verticals.discrete_mfg import lead_times
    from verticals.discrete_mfg.ml import lead_time as ltm

    torch.set_num_threads(1)
    began = time.perf_counter()
    base = lead_times.base_model()
    base_s = time.perf_counter() - began
    profile = ltm.GeneratorProfile(suppliers=25, receipts=3000, cny_days=9.0, size_elasticity=0.25, seed=2026)
    tenant = sorted(
        (
            ltm.Receipt(r.supplier, r.category, r.ordered_on, r.size, r.days * 1.3, r.production, r.shipped, r.elapsed_days)
            for r in ltm.generate_receipts(profile)
        ),
        key=lambda r: r.ordered_on,
    )
    cut = int(len(tenant) * 0.8)
    train, holdout = tenant[:cut], tenant[cut:]
    actual = np.array([r.days for r in holdout])
    history = ltm.History.of(train)
    began = time.perf_counter()
    model, _history, _tuned = lead_times.fine_tune(tenant, epochs=20)
    tune_s = time.perf_counter() - began
    ours = ltm.predict_days(model, holdout, history)
    base_pred = ltm.predict_days(base, holdout, history)
    empirical = lead_times.empirical_interval(train, holdout)

    ours_rop = DEMAND_PER_DAY * ours[:, 2]
    ours_fill, ours_safety = policy(ours_rop, actual)
    # equal stock: scale the empirical band's k until its average safety stock matches ours
    low, high = 0.0, 6.0
    for _ in range(60):
        k = (low + high) / 2
        rop = DEMAND_PER_DAY * lead_times.empirical_interval(train, holdout, k=k)[:, 2]
        _fill, safety = policy(rop, actual)
        low, high = (k, high) if safety < ours_safety else (low, k)
    base_fill, base_safety = policy(DEMAND_PER_DAY * lead_times.empirical_interval(train, holdout, k=k)[:, 2], actual)

    results = {
        "train_receipts": len(train),
        "holdout_receipts": len(holdout),
        "base_model_train_s": round(base_s, 1),
        "fine_tune_s": round(tune_s, 1),
        "ours_pinball_days": round(pinball_days(ours, actual), 3),
        "ours_coverage_p10_p90": round(coverage(ours, actual), 3),
        "base_model_untuned_pinball_days": round(pinball_days(base_pred, actual), 3),
        "base_model_untuned_coverage": round(coverage(base_pred, actual), 3),
        "empirical_pinball_days": round(pinball_days(empirical, actual), 3),
        "empirical_coverage_mean_pm_1_28_std": round(coverage(empirical, actual), 3),
        "policy_equal_safety_stock_units": round(ours_safety, 1),
        "policy_baseline_safety_stock_units": round(base_safety, 1),
        "policy_ours_fill_rate": round(ours_fill, 4),
        "policy_empirical_fill_rate_at_equal_stock": round(base_fill, 4),
        "policy_empirical_k_at_equal_stock": round(k, 3),
    }
    report = {
        "benchmark": "mfg_lead_time",
        "machine": {"platform": platform.platform(), "cpu_count": os.cpu_count(), "python": sys.version.split()[0]},
        "load_average_1m": os.getloadavg()[0],
        "results": results,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
