"""A generic loss/spoilage model (损耗预测): per ingredient lot or prepared batch, the probability it spoils
before it is used up and the expected quantity wasted, from storage temperature and humidity, processing
method, time since preparation or receipt, shelf life and the rate it is used.

Shared by every module that holds perishable lots (restaurant, food, retail): lot features in, probabilities
out, no tenant tables. Physics first, learned corrections second:

- Quality loss runs at a rate k(T, RH, process, group) = k_ref · Q10^((T − T_ref)/10) · exp(g(RH, process,
  group)), the Q10 form of Arrhenius temperature dependence (Labuza 1982; Q10 ≈ 2–4 for chilled meat, fish
  and produce). Q10 and g are learned; g is a small network.
- The fraction of shelf life used is Q = k · t / L (t hours since preparation, L the shelf life at
  reference conditions); a lot spoils when Q passes a lognormal threshold θ (lots differ: load, handling).
  P(spoil by t + horizon) = Φ((ln Q(t + h) − μ) / σ), monotone in time because k > 0.
- Expected waste: for threshold quantiles θ_i, the hours left before spoiling are (θ_i·L/k − t)+; what the
  daily use does not consume by then is wasted. Averaged over the quantiles it is monotone in t too.

The base model is trained on `generate_lots`, a documented generator built on the same kinetics with
published parameter ranges; tenants fine-tune it on their own waste records (`fine_tune`).
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from mlflow.pyfunc import PythonModel
from torch import nn

PROCESSES = ("raw", "chopped", "sliced", "marinated", "steamed", "braised", "fried", "cured", "frozen")
GROUPS = ("fish", "seafood", "meat", "offal", "vegetable", "tofu", "sauce", "broth", "dairy", "dry")
T_REF = 4.0  # °C: shelf lives are quoted at chilled storage
QUANTILES = torch.tensor([-1.5, -0.9, -0.45, 0.0, 0.45, 0.9, 1.5])  # threshold quantiles (z) for expected waste
STATE_FILE = "spoilage_state.pt"

# Generator parameters from the literature, per processing method: relative rate at reference conditions.
# Cutting and chopping spread surface flora (faster); acid/salt marinades and cooking slow it; curing and
# freezing nearly stop it (ICMSF, Microorganisms in Foods 6; Gram & Huss 1996 for fish).
PROCESS_RATE = {
    "raw": 1.0, "chopped": 1.7, "sliced": 1.35, "marinated": 0.75, "steamed": 1.15, "braised": 0.7,
    "fried": 0.6, "cured": 0.25, "frozen": 0.04,
}  # fmt: skip
# Per ingredient group: Q10 (temperature sensitivity) and the humidity optimum (%RH) away from which decay speeds up.
GROUP_KINETICS = {
    "fish": (3.2, 90), "seafood": (3.0, 90), "meat": (2.6, 85), "offal": (3.0, 85), "vegetable": (2.2, 92),
    "tofu": (2.5, 85), "sauce": (2.0, 70), "broth": (2.4, 70), "dairy": (2.4, 75), "dry": (1.8, 50),
}  # fmt: skip


@dataclass(frozen=True)
class LotFeatures:
    """One lot or prepared batch. Quantities in any one unit (the lot's base unit)."""

    storage_temp_c: float
    humidity_pct: float
    process: str  # one of PROCESSES
    group: str  # one of GROUPS
    hours_since_prep: float  # since preparation or receipt
    shelf_life_hours: float  # at reference conditions (4 °C, the group's humidity)
    quantity: float  # what is left of the lot
    daily_use: float  # expected use per day
    horizon_hours: float = 24.0  # spoilage probability by now + horizon


@dataclass(frozen=True)
class SpoilageRisk:
    p_spoil: float  # probability the lot spoils within the horizon
    expected_waste: float  # quantity expected to spoil before it is used
    hours_left: float  # median hours before it spoils


# --- generator -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KineticsProfile:
    """Conditions a tenant's kitchens differ in; the base generator uses the defaults."""

    q10_scale: float = 1.0  # a tenant's products may be more temperature sensitive
    temp_offset_c: float = 0.0  # the logged temperature reads low against the product core
    process_scale: dict[str, float] | None = None
    threshold_mu: float = 0.0
    threshold_sigma: float = 0.25


def true_rate(lot: LotFeatures, profile: KineticsProfile = KineticsProfile()) -> float:
    """Shelf-life fractions per hour at the lot's conditions (the generator's ground truth)."""
    q10, rh_opt = GROUP_KINETICS[lot.group]
    q10 *= profile.q10_scale
    temp = lot.storage_temp_c + profile.temp_offset_c
    humidity_penalty = 1.0 + 0.02 * abs(lot.humidity_pct - rh_opt)  # 10 points off the optimum: +20 %
    process = PROCESS_RATE[lot.process] * (profile.process_scale or {}).get(lot.process, 1.0)
    return q10 ** ((temp - T_REF) / 10.0) * humidity_penalty * process / lot.shelf_life_hours


def generate_lots(n: int, seed: int = 7, profile: KineticsProfile = KineticsProfile()) -> dict[str, Any]:
    """`n` lots with conditions drawn over what kitchens see, and their outcome under the kinetics above:
    `spoiled` (by now + horizon) and `waste_fraction` (spoiled before the daily use consumed it)."""
    rng = np.random.default_rng(seed)
    lots = []
    spoiled = np.zeros(n, dtype=np.float32)
    waste = np.zeros(n, dtype=np.float32)
    for i in range(n):
        group = GROUPS[rng.integers(len(GROUPS))]
        process = PROCESSES[rng.integers(len(PROCESSES))]
        shelf = float(rng.choice([12, 24, 48, 72, 120, 240]))
        quantity = float(rng.uniform(1, 20))
        lot = LotFeatures(
            storage_temp_c=float(rng.choice([rng.normal(3, 1.5), rng.normal(8, 3), rng.normal(22, 4)], p=[0.6, 0.25, 0.15])),
            humidity_pct=float(np.clip(rng.normal(80, 12), 30, 100)),
            process=process,
            group=group,
            hours_since_prep=float(rng.uniform(0, shelf * 1.2)),
            shelf_life_hours=shelf,
            quantity=quantity,
            daily_use=float(quantity * rng.uniform(0.1, 2.0)),
            horizon_hours=float(rng.choice([6, 12, 24, 48])),
        )
        k = true_rate(lot, profile)
        threshold = math.exp(profile.threshold_mu + profile.threshold_sigma * rng.standard_normal())
        hours_to_spoil = threshold / k - lot.hours_since_prep
        spoiled[i] = float(hours_to_spoil <= lot.horizon_hours)
        used = min(lot.quantity, lot.daily_use * max(hours_to_spoil, 0.0) / 24.0)
        waste[i] = (lot.quantity - used) / lot.quantity
        lots.append(lot)
    return {"lots": lots, "spoiled": spoiled, "waste_fraction": waste, "seed": seed}


# --- model -----------------------------------------------------------------------------------------------


def encode(lots: Sequence[LotFeatures]) -> dict[str, torch.Tensor]:
    """Tensors the model reads; unknown process or group names fall back to raw / vegetable."""
    f = torch.tensor
    process = f([PROCESSES.index(lot.process) if lot.process in PROCESSES else 0 for lot in lots])
    group = f([GROUPS.index(lot.group) if lot.group in GROUPS else GROUPS.index("vegetable") for lot in lots])
    return {
        "temp": f([lot.storage_temp_c for lot in lots], dtype=torch.float32),
        "humidity": f([lot.humidity_pct for lot in lots], dtype=torch.float32),
        "process": process,
        "group": group,
        "t": f([lot.hours_since_prep for lot in lots], dtype=torch.float32),
        "shelf": f([max(lot.shelf_life_hours, 1.0) for lot in lots], dtype=torch.float32),
        "quantity": f([max(lot.quantity, 1e-6) for lot in lots], dtype=torch.float32),
        "use": f([max(lot.daily_use, 0.0) for lot in lots], dtype=torch.float32),
        "horizon": f([max(lot.horizon_hours, 0.0) for lot in lots], dtype=torch.float32),
    }


class SpoilageNet(nn.Module):
    """Rate = exp(ln Q10_group · (T − T_ref)/10 + g(RH, process, group)) / L; threshold lognormal(μ, σ)."""

    def __init__(self, hidden: int = 16) -> None:
        super().__init__()
        self.log_q10 = nn.Parameter(torch.full((len(GROUPS),), math.log(2.5)))
        self.process_embedding = nn.Embedding(len(PROCESSES), 4)
        self.group_embedding = nn.Embedding(len(GROUPS), 4)
        self.correction = nn.Sequential(nn.Linear(9, hidden), nn.Tanh(), nn.Linear(hidden, 1))
        self.mu = nn.Parameter(torch.zeros(()))
        self.log_sigma = nn.Parameter(torch.tensor(math.log(0.3)))

    def log_rate(self, x: dict[str, torch.Tensor]) -> torch.Tensor:
        humidity = (x["humidity"] - 75.0) / 25.0
        features = torch.cat(
            [self.process_embedding(x["process"]), self.group_embedding(x["group"]), humidity.unsqueeze(-1)], dim=-1
        )
        temperature = self.log_q10[x["group"]] * (x["temp"] - T_REF) / 10.0
        return temperature + self.correction(features).squeeze(-1) - torch.log(x["shelf"])

    def forward(self, x: dict[str, torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(spoilage logit by t + horizon, expected waste fraction, median hours left)."""
        log_k = self.log_rate(x)
        sigma = torch.exp(self.log_sigma)
        log_q = log_k + torch.log(x["t"] + x["horizon"] + 1e-3)
        logit = (log_q - self.mu) / sigma * 1.702  # the logistic matching Φ: monotone in t
        thresholds = torch.exp(self.mu + sigma * QUANTILES.to(log_k))  # (Q,)
        hours_left = torch.relu(thresholds.unsqueeze(0) / torch.exp(log_k).unsqueeze(-1) - x["t"].unsqueeze(-1))
        used = torch.minimum(x["quantity"].unsqueeze(-1), x["use"].unsqueeze(-1) * hours_left / 24.0)
        waste = ((x["quantity"].unsqueeze(-1) - used) / x["quantity"].unsqueeze(-1)).mean(-1)
        median_left = torch.relu(torch.exp(self.mu - log_k) - x["t"])
        return logit, waste, median_left


@dataclass(frozen=True)
class FitReport:
    epochs: int
    loss: float
    brier: float
    waste_mae: float
    q10: dict[str, float]


def fit(
    model: SpoilageNet,
    data: dict[str, Any],
    *,
    epochs: int = 60,
    lr: float = 0.03,
    batch: int = 2048,
    seed: int = 0,
    freeze_physics: bool = False,
) -> FitReport:
    """Train (or fine-tune) on generator output or a tenant's records: {"lots", "spoiled", "waste_fraction"}.
    Fine-tuning passes a smaller lr and few epochs; `freeze_physics` keeps Q10 fixed (little tenant data)."""
    torch.manual_seed(seed)
    x = encode(data["lots"])
    spoiled = torch.as_tensor(np.asarray(data["spoiled"]), dtype=torch.float32)
    waste = torch.as_tensor(np.asarray(data["waste_fraction"]), dtype=torch.float32)
    model.log_q10.requires_grad_(not freeze_physics)
    params = [p for p in model.parameters() if p.requires_grad]
    optimiser = torch.optim.Adam(params, lr=lr)
    n = len(spoiled)
    loss_value = 0.0
    model.train()
    for _epoch in range(epochs):
        order = torch.randperm(n)
        for start in range(0, n, batch):
            idx = order[start : start + batch]
            part = {key: value[idx] for key, value in x.items()}
            logit, predicted_waste, _ = model(part)
            loss = nn.functional.binary_cross_entropy_with_logits(logit, spoiled[idx]) + 4.0 * nn.functional.mse_loss(
                predicted_waste, waste[idx]
            )
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            loss_value = float(loss.detach())
    model.log_q10.requires_grad_(True)
    metrics = evaluate(model, data)
    q10 = {group: round(math.exp(float(v)), 3) for group, v in zip(GROUPS, model.log_q10.detach(), strict=True)}
    return FitReport(epochs=epochs, loss=loss_value, brier=metrics["brier"], waste_mae=metrics["waste_mae"], q10=q10)


def evaluate(model: SpoilageNet, data: dict[str, Any]) -> dict[str, float]:
    """Brier score and AUC of the spoilage probability, mean absolute error of the waste fraction."""
    model.eval()
    with torch.no_grad():
        logit, waste, _ = model(encode(data["lots"]))
    p = torch.sigmoid(logit).numpy()
    y = np.asarray(data["spoiled"], dtype=np.float64)
    return {
        "brier": float(np.mean((p - y) ** 2)),
        "auc": _auc(p, y),
        "waste_mae": float(np.mean(np.abs(waste.numpy() - np.asarray(data["waste_fraction"])))),
    }


def predict(model: SpoilageNet, lots: Sequence[LotFeatures]) -> list[SpoilageRisk]:
    if not lots:
        return []
    model.eval()
    with torch.no_grad():
        logit, waste, hours = model(encode(lots))
    p = torch.sigmoid(logit)
    return [
        SpoilageRisk(float(pi), float(wi) * lot.quantity, float(hi))
        for pi, wi, hi, lot in zip(p, waste, hours, lots, strict=True)
    ]


def train_base_model(n: int = 20000, seed: int = 7, epochs: int = 40) -> tuple[SpoilageNet, FitReport]:
    torch.set_num_threads(1)
    model = SpoilageNet()
    return model, fit(model, generate_lots(n, seed), epochs=epochs, seed=seed)


def fine_tune(base: SpoilageNet, data: dict[str, Any], *, epochs: int = 30, lr: float = 0.01) -> tuple[SpoilageNet, FitReport]:
    """A copy of `base` fitted to a tenant's own lots and waste; the base stays untouched."""
    tuned = SpoilageNet()
    tuned.load_state_dict(base.state_dict())
    return tuned, fit(tuned, data, epochs=epochs, lr=lr, batch=256, freeze_physics=len(data["lots"]) < 200)


def _auc(p: np.ndarray, y: np.ndarray) -> float:
    positives, negatives = y.sum(), len(y) - y.sum()
    if positives == 0 or negatives == 0:
        return float("nan")
    ranks = np.argsort(np.argsort(p)) + 1
    return float((ranks[y == 1].sum() - positives * (positives + 1) / 2) / (positives * negatives))


# --- MLflow ----------------------------------------------------------------------------------------------


def log_spoilage_run(
    model: SpoilageNet,
    name: str,
    metrics: dict[str, float],
    params: dict[str, Any] | None = None,
    tracking_uri: str | None = None,
) -> tuple[str, str]:
    """Log a training or fine-tuning run and register it under `name` (see tracking.registered_model_name,
    kind "loss"); returns (run id, version). The state dict travels as an artifact of a pyfunc model."""
    import mlflow

    from ml_models import tracking

    client, uri = tracking._client(tracking_uri)
    experiment = tracking._experiment_id(client, name, tracking.resolve_artifact_root(uri))
    with tempfile.TemporaryDirectory(dir=tracking._work_dir(uri)) as tmp:
        state = Path(tmp) / STATE_FILE
        torch.save(model.state_dict(), state)
        with mlflow.start_run(experiment_id=experiment) as run:
            mlflow.log_params(params or {})
            mlflow.log_metrics({k: float(v) for k, v in metrics.items() if math.isfinite(float(v))})
            info = mlflow.pyfunc.log_model(
                name="model",
                python_model=SpoilagePyfunc(),
                artifacts={"state": str(state)},
                pip_requirements=tracking.PIP_REQUIREMENTS,
                registered_model_name=name,
            )
    return run.info.run_id, str(info.registered_model_version)


def load_spoilage_version(name: str, version: str, tracking_uri: str | None = None) -> SpoilageNet:
    import mlflow

    from ml_models import tracking

    _client, uri = tracking._client(tracking_uri)
    with tempfile.TemporaryDirectory(dir=tracking._work_dir(uri)) as tmp:
        path = Path(mlflow.artifacts.download_artifacts(artifact_uri=f"models:/{name}/{version}", dst_path=tmp))
        state = torch.load(path / "artifacts" / STATE_FILE, weights_only=True)
    model = SpoilageNet()
    model.load_state_dict(state)
    model.eval()
    return model


class SpoilagePyfunc(PythonModel):  # type: ignore[misc]
    """pyfunc wrapper: LotFeatures rows in, p_spoil / expected_waste / hours_left out."""

    def load_context(self, context: Any) -> None:
        self.model = SpoilageNet()
        self.model.load_state_dict(torch.load(context.artifacts["state"], weights_only=True))

    def predict(
        self, context: Any, model_input: list[dict[str, Any]], params: dict[str, Any] | None = None
    ) -> list[dict[str, float]]:
        """Rows of LotFeatures fields in, one {p_spoil, expected_waste, hours_left} per row out."""
        lots = [LotFeatures(**row) for row in model_input]
        return [asdict(risk) for risk in predict(self.model, lots)]
