"""The space the network works in: per-series scaled demand, optionally on a log scale.

On the log scale a multiplicative season or trend (retail: December is x % above November whatever the level)
becomes additive, which the network's linear skip represents exactly, and large series stop dominating the
loss. Quantiles survive the transform (it is monotone), so pinball loss on the log scale still trains
P10/P50/P90 of demand. The offset keeps zero demand finite for intermittent series.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # torch is needed only by callers that hold tensors (explanations); importing it costs seconds
    import torch

LOG_OFFSET = 0.1


@dataclass(frozen=True)
class DemandTransform:
    log_space: bool = False
    offset: float = LOG_OFFSET
    # > 0: divide each window's lags and targets by seasonal indices estimated from the last this-many periods
    # before the origin (ml_models.features.seasonal_indices), so the network sees level and trend without the
    # season and its output is reseasonalised. 0: off.
    seasonal_window: int = 0
    # Divide each period by its length first (calendar adjustment: demand per day, so February and leap years
    # stop looking like demand changes), and multiply the forecast back. Only monthly periods differ in length.
    per_day: bool = False

    def forward(self, scaled: np.ndarray) -> np.ndarray:
        """Scaled demand (≥ 0) → model space."""
        if not self.log_space:
            return scaled
        return np.log(np.maximum(scaled, 0.0) + self.offset)

    def inverse(self, model_space: np.ndarray) -> np.ndarray:
        """Model space → scaled demand, never negative."""
        if not self.log_space:
            return np.maximum(model_space, 0.0)
        return np.maximum(np.exp(model_space) - self.offset, 0.0)

    def inverse_torch(self, model_space: torch.Tensor) -> torch.Tensor:
        """The same inverse, differentiable (for attributions in demand units)."""
        if not self.log_space:
            return model_space
        return model_space.exp() - self.offset
