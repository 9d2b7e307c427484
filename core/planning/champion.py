"""The one adapter between planning and the forecasting library's champion/challenger entry point.

`ml_models.champion` selects, per demand class, the candidate (statistical baselines, LightGBM, the tenant
network, combinations) with the lowest rolling-origin WAPE on the tenant's own history, so nothing worse than the
best baseline is ever served; `forecast_with` re-serves that choice nightly without re-selection. Planning keeps
the choice in MLflow (`ml_models.tracking.log_champion_choice`) under the tenant's model name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ml_models.champion import ChampionResult

if TYPE_CHECKING:
    from ml_models.features import DemandPanel

__all__ = ["ChampionResult", "fit_and_forecast", "forecast_with", "load_saved", "log_champion", "served_network"]

Progress = Callable[[int, str], None]


def fit_and_forecast(
    panel: DemandPanel,
    *,
    horizon: int = 28,
    origins: int = 3,
    base: dict[str, Any] | None = None,
    seed: int = 0,
    progress: Progress | None = None,
) -> ChampionResult:
    """Select per demand class on a rolling-origin backtest, then forecast `horizon` days after the panel.

    `base` is the network state the tenant network starts from (the tenant's previous champion network, or its
    module's base network), or None to learn from the tenant's history alone."""
    from ml_models import champion

    return champion.fit_and_forecast(panel, horizon=horizon, origins=origins, base=base, seed=seed, progress=progress)


def forecast_with(saved: dict[str, Any], panel: DemandPanel, *, horizon: int = 28) -> ChampionResult:
    """Serve from a saved champion choice (no re-selection): nightly forecasts between fine-tunes."""
    from ml_models import champion

    return champion.forecast_with(saved, panel, horizon=horizon)


def served_network(result: ChampionResult) -> Any:
    """A network the explanations can attribute (the library's window network), or None.

    The tenant network that `ml_models.champion` fine-tunes has no integrated-gradients explainer yet, so its
    forecasts are stored without explanations rather than with attributions of a model that is not served."""
    return None


def log_champion(
    result: ChampionResult, name: str, params: dict[str, object], tags: dict[str, str], tracking_uri: str
) -> str:
    """Register the whole choice of `result` (winners per class, fitted learners, band offsets) under `name`
    with its backtest figures; returns the version."""
    from ml_models.tracking import log_champion_choice

    report = {"served": result.served, "backtest": result.backtest, "coverage": result.coverage, "notes": result.notes}
    logged = log_champion_choice(
        result.saved, name, result.metrics, params=params, tags=tags, report=report, tracking_uri=tracking_uri
    )
    return logged.version


def load_saved(model_name: str, model_version: str, tracking_uri: str) -> dict[str, Any]:
    """The `saved` argument of forecast_with, as registered by `log_champion`."""
    from ml_models.tracking import load_champion_choice

    return load_champion_choice(model_name, model_version, tracking_uri)


def network_state(saved: dict[str, Any]) -> dict[str, Any] | None:
    """The fine-tuned network inside a saved choice (a warm start for the next fine-tune), if it has one."""
    state = saved.get("network")
    return state if isinstance(state, dict) else None
