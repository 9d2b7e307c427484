"""Pinball (quantile) loss for training the quantile demand model."""

from __future__ import annotations

import torch


def pinball_loss(pred: torch.Tensor, target: torch.Tensor, quantiles: torch.Tensor) -> torch.Tensor:
    """Mean pinball loss; `pred` is (..., Q), `target` is (...) and `quantiles` is (Q,)."""
    diff = target.unsqueeze(-1) - pred
    return torch.maximum(quantiles * diff, (quantiles - 1) * diff).mean()
