"""Global PyTorch quantile demand model: one MLP over the lag window, calendar, price/promo and signals."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import torch
from torch import nn
from torch.nn import functional as F

from ml_models.features import FREQ_SEASON, FeatureLayout

DEFAULT_QUANTILES = (0.1, 0.5, 0.9)
DEFAULT_LAGS = {"D": 28, "M": 24}
DEFAULT_HORIZON = {"D": 28, "M": 12}


@dataclass(frozen=True)
class ModelConfig:
    freq: str = "D"
    n_lags: int = 28
    horizon: int = 28
    quantiles: tuple[float, ...] = field(default=DEFAULT_QUANTILES)
    hidden: int = 256
    dropout: float = 0.1

    @classmethod
    def for_frequency(cls, freq: str, **overrides: object) -> ModelConfig:
        if freq not in FREQ_SEASON:
            raise ValueError(f"unsupported frequency {freq!r}")
        base = {"freq": freq, "n_lags": DEFAULT_LAGS[freq], "horizon": DEFAULT_HORIZON[freq]}
        return cls(**{**base, **overrides})  # type: ignore[arg-type]

    @property
    def layout(self) -> FeatureLayout:
        return FeatureLayout(self.n_lags, self.horizon)

    def to_dict(self) -> dict[str, object]:
        return {**asdict(self), "quantiles": list(self.quantiles)}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> ModelConfig:
        return cls(**{**data, "quantiles": tuple(data["quantiles"])})  # type: ignore[arg-type]


class DemandNet(nn.Module):
    """Maps a scaled feature vector to (horizon, quantiles) scaled demand, monotone in the quantile.

    Monotonicity is built in: the lowest quantile is free and each next one adds a softplus step,
    so P10 ≤ P50 ≤ P90 holds for every input, not only on average.
    A linear skip over the inputs carries the level and seasonality the MLP would otherwise relearn.
    """

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.config = config
        n_in = config.layout.n_inputs
        h, q = config.horizon, len(config.quantiles)
        self.body = nn.Sequential(
            nn.Linear(n_in, config.hidden),
            nn.ReLU(),
            nn.Dropout(config.dropout),
            nn.Linear(config.hidden, config.hidden),
            nn.ReLU(),
        )
        self.head = nn.Linear(config.hidden, h * q)
        self.skip = nn.Linear(n_in, h)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h, q = self.config.horizon, len(self.config.quantiles)
        raw = self.head(self.body(x)).view(-1, h, q)
        base = raw[..., :1] + self.skip(x).unsqueeze(-1)
        steps = F.softplus(raw[..., 1:])
        return torch.cat([base, base + torch.cumsum(steps, dim=-1)], dim=-1)


def build_model(config: ModelConfig, seed: int = 0) -> DemandNet:
    torch.manual_seed(seed)
    return DemandNet(config)
