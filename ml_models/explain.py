"""Why a forecast is what it is: integrated-gradient attributions of the P50 total, per feature family."""

from __future__ import annotations

import numpy as np
import torch

from ml_models.features import DemandPanel, WindowFeatures
from ml_models.model import DemandNet


def _reference(x: torch.Tensor, n_lags: int, flat_lag: float) -> torch.Tensor:
    """The "nothing special" input: a flat history at the series' own average, no calendar, price or signal effect."""
    ref = torch.zeros_like(x)
    ref[:, :n_lags] = flat_lag
    return ref


def explain(model: DemandNet, panel: DemandPanel, steps: int = 32) -> list[dict[str, object]]:
    """One small dict per series: the P50 total over the horizon, the reference level and each family's share.

    Integrated gradients are complete: reference + Σ contributions = the P50 total (up to the
    integration error of `steps`), so the UI can show the contributions as a waterfall in demand units.
    """
    config = model.config
    feats = WindowFeatures(panel, config.n_lags, config.horizon, config.transform)
    series, origins = feats.last_origins()
    x_np, scale_np = feats.inputs(series, origins)
    x, scale = torch.from_numpy(x_np), torch.from_numpy(scale_np)
    # The series' own average (scaled demand 1) as the network sees it, on the log scale if it uses one.
    ref = _reference(x, config.n_lags, float(config.transform.forward(np.ones(1))[0]))
    p50 = config.median_index
    model.eval()

    def total(inputs: torch.Tensor) -> torch.Tensor:
        """The P50 over the horizon in demand units (back from the log scale when the model uses it; `scale` is
        per target period, so a reseasonalised forecast adds up in units too)."""
        return (config.transform.inverse_torch(model(inputs)[:, :, p50]) * scale).sum(dim=1)

    grads = torch.zeros_like(x)
    for alpha in (torch.arange(steps, dtype=torch.float32) + 0.5) / steps:
        point = (ref + alpha * (x - ref)).requires_grad_(True)
        (grad,) = torch.autograd.grad(total(point).sum(), point)
        grads += grad / steps
    attributions = ((x - ref) * grads).detach().numpy()
    with torch.no_grad():
        forecast_total = total(x).numpy()
        reference_total = total(ref).numpy()
    families = config.layout.families
    out: list[dict[str, object]] = []
    for i, key in enumerate(panel.keys):
        contributions = {name: float(attributions[i, part].sum()) for name, part in families.items()}
        magnitude = sum(abs(v) for v in contributions.values()) or 1.0
        out.append(
            {
                "key": key,
                "p50_total": float(forecast_total[i]),
                "reference_total": float(reference_total[i]),
                "contributions": contributions,
                "shares": {name: abs(v) / magnitude for name, v in contributions.items()},
            }
        )
    return out
