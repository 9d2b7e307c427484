"""The lead-time model: P10/P50/P90 of supplier and production lead times (days), fine-tunable, tracked in MLflow.

A small PyTorch network over features that carry across tenants (no supplier ids): the supplier's and the
category's history (mean and spread of log lead time, number of receipts), the order's size against the
supplier's usual size, the season, the overlap of the lead window with the Chinese New Year shutdown and the
National Day week, and the in-transit status (shipped, and the share of the usual lead time already gone).
It predicts the quantiles of log lead time, kept ordered by construction (P50 plus softplus gaps).

The base model is trained on `generate_receipts`, a documented generator (below); a tenant fine-tunes it on its
own receipts. This file knows no tenant tables: datasets in, models out.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import torch
from torch import nn

QUANTILES = (0.1, 0.5, 0.9)
FEATURES = (
    "supplier_log_mean",
    "supplier_log_std",
    "supplier_log_count",
    "category_log_mean",
    "category_log_std",
    "log_size_ratio",
    "season_sin",
    "season_cos",
    "cny_overlap",
    "golden_week_overlap",
    "shipped",
    "elapsed_share",
    "production",
)
FEATURE_GROUPS = {
    "supplier_history": ("supplier_log_mean", "supplier_log_std", "supplier_log_count"),
    "category_history": ("category_log_mean", "category_log_std"),
    "order_size": ("log_size_ratio",),
    "season": ("season_sin", "season_cos"),
    "holidays": ("cny_overlap", "golden_week_overlap"),
    "in_transit": ("shipped", "elapsed_share"),
    "production": ("production",),
}
# Chinese New Year (春节) dates; factories stop about a week before and restart two weeks after.
CNY = {
    2022: date(2022, 2, 1), 2023: date(2023, 1, 22), 2024: date(2024, 2, 10), 2025: date(2025, 1, 29),
    2026: date(2026, 2, 17), 2027: date(2027, 2, 6), 2028: date(2028, 1, 26),
}  # fmt: skip
CNY_BEFORE, CNY_AFTER = 7, 14


def shutdown_overlap(start: date, days: float) -> tuple[float, float]:
    """Days of the window [start, start + days) inside the CNY shutdown and inside National Day week, in weeks."""
    end = start + timedelta(days=max(days, 1))
    cny = 0.0
    for year in (start.year, start.year + 1):
        if year in CNY:
            first, last = CNY[year] - timedelta(days=CNY_BEFORE), CNY[year] + timedelta(days=CNY_AFTER)
            cny += max(0, (min(end, last) - max(start, first)).days)
    golden = 0.0
    for year in (start.year, start.year + 1):
        first, last = date(year, 10, 1), date(year, 10, 8)
        golden += max(0, (min(end, last) - max(start, first)).days)
    return cny / 7, golden / 7


@dataclass(frozen=True)
class Receipt:
    """One measured lead time: an order placed on `ordered_on` (or a work order started) that took `days`."""

    supplier: str
    category: str
    ordered_on: date
    size: float
    days: float
    production: bool = False
    shipped: bool = False
    elapsed_days: float = 0.0  # how long the order had been out when the prediction was made


@dataclass
class History:
    """The per-supplier and per-category statistics the features read (log days)."""

    supplier: dict[str, tuple[float, float, int, float]] = field(default_factory=dict)  # mean, std, n, median size
    category: dict[str, tuple[float, float]] = field(default_factory=dict)
    overall: tuple[float, float] = (math.log(14), 0.5)

    @classmethod
    def of(cls, receipts: Sequence[Receipt]) -> History:
        history = cls()
        if not receipts:
            return history
        logs = np.log([max(r.days, 0.5) for r in receipts])
        history.overall = (float(logs.mean()), float(logs.std() or 0.5))
        by_category: dict[str, list[float]] = {}
        by_supplier: dict[str, list[Receipt]] = {}
        for r, value in zip(receipts, logs, strict=True):
            by_supplier.setdefault(r.supplier, []).append(r)
            by_category.setdefault(r.category, []).append(float(value))
        for name, rows in by_supplier.items():
            values = np.log([max(r.days, 0.5) for r in rows])
            history.supplier[name] = (
                float(values.mean()),
                float(values.std()),
                len(rows),
                float(np.median([r.size for r in rows])),
            )
        for name, measured in by_category.items():
            history.category[name] = (float(np.mean(measured)), float(np.std(measured)))
        return history

    def features(self, r: Receipt) -> list[float]:
        mean, std = self.overall
        s_mean, s_std, s_n, s_size = self.supplier.get(r.supplier, (mean, std, 0, r.size or 1.0))
        c_mean, c_std = self.category.get(r.category, (mean, std))
        usual = math.exp(s_mean)
        cny, golden = shutdown_overlap(r.ordered_on, usual)
        angle = 2 * math.pi * r.ordered_on.timetuple().tm_yday / 365.25
        return [
            s_mean,
            s_std,
            math.log1p(s_n),
            c_mean,
            c_std,
            math.log(max(r.size, 1e-3) / max(s_size, 1e-3)),
            math.sin(angle),
            math.cos(angle),
            cny,
            golden,
            1.0 if r.shipped else 0.0,
            min(r.elapsed_days / usual, 2.0),
            1.0 if r.production else 0.0,
        ]


class LeadTimeNet(nn.Module):
    """Features → (P10, P50, P90) of log lead time; P50 is offset from the supplier's history mean."""

    def __init__(self, hidden: int = 32) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Linear(len(FEATURES), hidden), nn.GELU(), nn.Linear(hidden, hidden), nn.GELU())
        self.head = nn.Linear(hidden, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raw = self.head(self.body(x))
        p50 = x[:, 0] + raw[:, 1]  # supplier_log_mean + a learned correction
        low = p50 - nn.functional.softplus(raw[:, 0]) - 1e-3
        high = p50 + nn.functional.softplus(raw[:, 2]) + 1e-3
        return torch.stack([low, p50, high], dim=1)


def pinball(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    losses = []
    for index, q in enumerate(QUANTILES):
        error = target - pred[:, index]
        losses.append(torch.maximum(q * error, (q - 1) * error))
    return torch.stack(losses, dim=1).mean()


def dataset(receipts: Sequence[Receipt], history: History) -> tuple[torch.Tensor, torch.Tensor]:
    x = torch.tensor([history.features(r) for r in receipts], dtype=torch.float32)
    y = torch.tensor([math.log(max(r.days, 0.5)) for r in receipts], dtype=torch.float32)
    return x, y


def train(
    model: LeadTimeNet, receipts: Sequence[Receipt], history: History, *, epochs: int = 30, lr: float = 3e-3, seed: int = 0
) -> float:
    """Fit (or fine-tune) on receipts; returns the last epoch's pinball loss on log days."""
    torch.manual_seed(seed)
    x, y = dataset(receipts, history)
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    loss_value = 0.0
    model.train()
    for _epoch in range(epochs):
        order = torch.randperm(len(x), generator=generator)
        for start in range(0, len(x), 256):
            batch = order[start : start + 256]
            optimiser.zero_grad()
            loss = pinball(model(x[batch]), y[batch])
            loss.backward()
            optimiser.step()
            loss_value = float(loss.detach())
    model.eval()
    return loss_value


def predict_days(model: LeadTimeNet, receipts: Sequence[Receipt], history: History) -> np.ndarray:
    """(n, 3) P10/P50/P90 in days."""
    x, _ = dataset(receipts, history)
    with torch.no_grad():
        return np.exp(model(x).numpy())


def explain(model: LeadTimeNet, receipt: Receipt, history: History) -> dict[str, float]:
    """Days each feature group adds to the P50 against the average order (occlusion: the group set to its
    neutral value: the overall history, no holiday, not shipped, mid-season)."""
    base = history.features(receipt)
    neutral = dict(zip(FEATURES, base, strict=True))
    mean, std = history.overall
    neutral.update(
        supplier_log_mean=mean, supplier_log_std=std, supplier_log_count=0.0, category_log_mean=mean, category_log_std=std,
        log_size_ratio=0.0, season_sin=0.0, season_cos=0.0, cny_overlap=0.0, golden_week_overlap=0.0, shipped=0.0,
        elapsed_share=0.0, production=0.0,
    )  # fmt: skip
    with torch.no_grad():
        full = float(np.exp(model(torch.tensor([base], dtype=torch.float32))[0, 1].item()))
        result = {}
        for group, names in FEATURE_GROUPS.items():
            row = [neutral[name] if name in names else value for name, value in zip(FEATURES, base, strict=True)]
            without = float(np.exp(model(torch.tensor([row], dtype=torch.float32))[0, 1].item()))
            result[group] = round(full - without, 2)
    return result


# --- the documented generator ------------------------------------------------------------------------------


@dataclass(frozen=True)
class GeneratorProfile:
    """Settings of the synthetic receipt history the base model learns from.

    Each supplier has a base lead time drawn log-uniformly from `base_days` and a reliability σ from `sigma`;
    categories multiply it (moulds ×2.5, tools ×1.6, main materials ×1, consumables ×0.6, production ×0.4);
    an order k times the supplier's usual size takes k^`size_elasticity` longer; a lead window overlapping the
    Chinese New Year shutdown adds `cny_days` per shutdown week in it, National Day week adds `golden_days` per
    week; Q4 runs `peak_season` longer; a shipped order's remaining time is what is left of the draw; noise is
    log-normal with the supplier's σ."""

    suppliers: int = 60
    receipts: int = 12000
    base_days: tuple[float, float] = (5.0, 40.0)
    sigma: tuple[float, float] = (0.08, 0.45)
    size_elasticity: float = 0.18
    cny_days: float = 6.0
    golden_days: float = 2.0
    peak_season: float = 0.12
    start: date = date(2023, 1, 1)
    span_days: int = 3 * 365
    seed: int = 11


CATEGORIES = {"mould": 2.5, "tool": 1.6, "material": 1.0, "consumable": 0.6, "production": 0.4}


def generate_receipts(profile: GeneratorProfile = GeneratorProfile()) -> list[Receipt]:
    rng = random.Random(profile.seed)  # noqa: S311 - a reproducible generator, not a secret
    suppliers = []
    for n in range(profile.suppliers):
        base = math.exp(rng.uniform(math.log(profile.base_days[0]), math.log(profile.base_days[1])))
        suppliers.append((f"S{n:03d}", base, rng.uniform(*profile.sigma), rng.choice(list(CATEGORIES)), rng.uniform(20, 500)))
    receipts = []
    for _ in range(profile.receipts):
        name, base, sigma, category, usual_size = rng.choice(suppliers)
        ordered = profile.start + timedelta(days=rng.randrange(profile.span_days))
        size = usual_size * math.exp(rng.gauss(0, 0.6))
        days = base * CATEGORIES[category] * (size / usual_size) ** profile.size_elasticity
        if ordered.month >= 10:
            days *= 1 + profile.peak_season
        cny, golden = shutdown_overlap(ordered, days)
        days += profile.cny_days * cny + profile.golden_days * golden
        days *= math.exp(rng.gauss(0, sigma))
        shipped = rng.random() < 0.25
        elapsed = rng.uniform(0.3, 0.9) * days if shipped else 0.0
        receipts.append(
            Receipt(name, category, ordered, size, max(days - elapsed, 0.5), category == "production", shipped, elapsed)
        )
    return receipts


def base_training_data() -> list[Receipt]:
    """MLSpec.base_data: the generator's receipts with its default settings (touches no tenant table)."""
    return generate_receipts()


# --- MLflow ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoggedLeadTimeModel:
    run_id: str
    version: str


def log_model(
    model: LeadTimeNet, name: str, metrics: dict[str, float], params: dict[str, object], tracking_uri: str | None = None
) -> LoggedLeadTimeModel:
    """Log a training or fine-tuning run and register the network under `name` (tracking's URIs and folders)."""
    import tempfile

    import mlflow

    from ml_models import tracking

    client, uri = tracking._client(tracking_uri)
    experiment = tracking._experiment_id(client, name, tracking.resolve_artifact_root(uri))
    with tempfile.TemporaryDirectory(dir=tracking._work_dir(uri)) as tmp:
        state = Path(tmp) / "lead_time_state.pt"
        torch.save(model.state_dict(), state)
        with mlflow.start_run(experiment_id=experiment) as run:
            mlflow.log_params({**params, "features": ",".join(FEATURES)})
            mlflow.log_metrics({k: float(v) for k, v in metrics.items() if math.isfinite(float(v))})
            info = mlflow.pytorch.log_model(
                model,
                name="model",
                input_example=np.zeros((1, len(FEATURES)), dtype=np.float32),
                serialization_format="pt2",
                pip_requirements=tracking.PIP_REQUIREMENTS,
                extra_files=[str(state)],
                registered_model_name=name,
            )
    return LoggedLeadTimeModel(run.info.run_id, str(info.registered_model_version))


def load_model(name: str, version: str, tracking_uri: str | None = None) -> LeadTimeNet:
    from ml_models import tracking

    _client, uri = tracking._client(tracking_uri)
    with tracking._download(f"models:/{name}/{version}", uri) as path:
        state = torch.load(path / "extra_files" / "lead_time_state.pt", weights_only=True)
    model = LeadTimeNet()
    model.load_state_dict(state)
    model.eval()
    return model


def profile_settings() -> dict[str, object]:
    return {k: (str(v) if isinstance(v, date) else v) for k, v in asdict(GeneratorProfile()).items()}
