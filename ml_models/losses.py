"""Pinball (quantile) loss for training the quantile demand model."""

from __future__ import annotations

import torch


def pinball_loss(
    pred: torch.Tensor, target: torch.Tensor, quantiles: torch.Tensor, weights: torch.Tensor | None = None
) -> torch.Tensor:
    """Mean pinball loss; `pred` is (B, ..., Q), `target` is (B, ...) and `quantiles` is (Q,).

    `weights` (B,) weigh the samples (e.g. by series volume); they are normalised to a mean of 1.
    """
    diff = target.unsqueeze(-1) - pred
    loss = torch.maximum(quantiles * diff, (quantiles - 1) * diff)
    if weights is None:
        return loss.mean()
    per_sample = loss.reshape(loss.shape[0], -1).mean(dim=1)
    return (per_sample * weights).sum() / weights.sum()
