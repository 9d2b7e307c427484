"""Batch inference: quantile forecasts for many series in one vectorised pass."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from ml_models.features import FREQ_OFFSET, DemandPanel, WindowFeatures
from ml_models.model import DemandNet


@dataclass
class Forecast:
    """`values[i, h, q]`: quantile q of series i, `h+1` periods after the end of its history."""

    keys: list[str]
    dates: pd.DatetimeIndex
    quantiles: tuple[float, ...]
    values: np.ndarray

    def quantile(self, q: float) -> np.ndarray:
        return self.values[..., self.quantiles.index(q)]

    @property
    def median(self) -> np.ndarray:
        return self.quantile(0.5)

    def to_frame(self) -> pd.DataFrame:
        """Long table: key, date, then one column per quantile (p10, p50, p90 …)."""
        n, h, _ = self.values.shape
        frame = pd.DataFrame(
            {"key": np.repeat(self.keys, h), "date": np.tile(self.dates, n)},
        )
        for j, q in enumerate(self.quantiles):
            frame[f"p{round(q * 100)}"] = self.values[:, :, j].reshape(-1)
        return frame


def predict_scaled(model: DemandNet, x: np.ndarray, batch_size: int = 8192) -> np.ndarray:
    """Run the network in eval mode over feature rows, in batches."""
    model.eval()
    out = []
    with torch.no_grad():
        for start in range(0, len(x), batch_size):
            out.append(model(torch.from_numpy(x[start : start + batch_size])).numpy())
    return np.concatenate(out) if out else np.empty((0, model.config.horizon, len(model.config.quantiles)))


def forecast(model: DemandNet, panel: DemandPanel, batch_size: int = 8192) -> Forecast:
    """Forecast every series of `panel` from the end of its history; demand is never negative."""
    config = model.config
    if panel.freq != config.freq:
        raise ValueError(f"model is for frequency {config.freq!r}, panel is {panel.freq!r}")
    feats = WindowFeatures(panel, config.n_lags, config.horizon, config.transform)
    series, origins = feats.last_origins()
    x, scale = feats.inputs(series, origins)
    scaled = predict_scaled(model, x, batch_size)
    values = (config.transform.inverse(scaled) * scale[:, :, None]).astype(np.float32)
    dates = pd.date_range(panel.dates[-1], periods=config.horizon + 1, freq=FREQ_OFFSET[panel.freq])[1:]
    return Forecast(list(panel.keys), dates, tuple(config.quantiles), values)
