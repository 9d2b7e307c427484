"""The served model per demand class, as the page and the API show it: names and reasons in the reader's
language, and only figures the customer gets (the served model's own backtest WAPE)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

CLASS_LABELS = {
    "smooth": gettext_lazy("Smooth"),
    "erratic": gettext_lazy("Erratic"),
    "intermittent": gettext_lazy("Intermittent"),
    "lumpy": gettext_lazy("Lumpy"),
    "short": gettext_lazy("Short history"),
}
MODEL_LABELS = {
    "network": gettext_lazy("Fine-tuned network"),
    "ets": gettext_lazy("Exponential smoothing (ETS)"),
    "seasonal_naive": gettext_lazy("Seasonal naive (same weekday last week)"),
    "moving_average": gettext_lazy("28-day moving average"),
    "weekday_average": gettext_lazy("Average of the same weekday"),
    "window_average": gettext_lazy("28-day average"),
    "lightgbm_direct": gettext_lazy("Gradient boosting with recent days (LightGBM)"),
    "tsb": gettext_lazy("TSB (intermittent demand)"),
    "croston_sba": gettext_lazy("Croston SBA (intermittent demand)"),
    "adida": gettext_lazy("ADIDA (intermittent demand)"),
    "lightgbm": gettext_lazy("Gradient boosting (LightGBM)"),
}


@dataclass(frozen=True)
class ServedClass:
    demand_class: str
    demand_class_label: str
    model: str
    model_label: str
    wape: float | None
    coverage: float | None
    series: int
    baselines: list[tuple[str, float]]
    reasons: list[str]


def reason_text(code: str, params: dict[str, Any]) -> str:
    """A selection note (library code + params) in the reader's language."""
    if code == "history_too_short":
        return _("History shorter than %(days)s days → best baseline served.") % {"days": params.get("days", "?")}
    if code == "network_not_better":
        return _("The fine-tune did not beat the baselines (%(network)s vs %(best)s WAPE) → baseline served.") % {
            "network": _percent(params.get("network")),
            "best": _percent(params.get("best")),
        }
    if code == "baseline_served":
        return _("A baseline won the backtest: %(model)s (%(wape)s WAPE).") % {
            "model": model_label(str(params.get("served", ""))),
            "wape": _percent(params.get("wape")),
        }
    if code == "fallback_served":
        return _("The chosen model could not run; its best simple baseline served instead: %(model)s.") % {
            "model": model_label(str(params.get("served", "")))
        }
    if code == "no_backtest":
        return _("Too little history to backtest this class: %(model)s served.") % {
            "model": model_label(str(params.get("served", "")))
        }
    if code == "fewer_backtest_origins":
        return _("Backtest on %(origins)s of %(requested)s origins: the history is short.") % {
            "origins": params.get("origins", "?"),
            "requested": params.get("requested", "?"),
        }
    if code == "network_from_tenant_history":
        return _("The network learned from your own history only.")
    if code == "network_not_trained":
        return _("The network was not trained: too little history.")
    if code == "new_series_classified":
        return _("%(series)s new series were classified and served by their class's model.") % {
            "series": params.get("series", "?")
        }
    return code


def _percent(value: Any) -> str:
    return f"{float(value) * 100:.1f}%" if isinstance(value, int | float) else "?"


def model_label(name: str) -> str:
    if name.startswith("combo:"):
        return _("Combination of %(members)s") % {"members": " + ".join(str(model_label(m)) for m in name[6:].split("+"))}
    return str(MODEL_LABELS.get(name, name))


def served_classes(summary: dict[str, Any]) -> list[ServedClass]:
    out = []
    for demand_class, entry in sorted((summary or {}).get("classes", {}).items()):
        out.append(
            ServedClass(
                demand_class=demand_class,
                demand_class_label=str(CLASS_LABELS.get(demand_class, demand_class)),
                model=entry["model"],
                model_label=model_label(entry["model"]),
                wape=entry.get("wape"),
                coverage=entry.get("coverage"),
                series=int(entry.get("series", 0)),
                baselines=sorted((entry.get("baselines") or {}).items(), key=lambda pair: pair[1]),
                reasons=[reason_text(code, params) for code, params in entry.get("notes", [])],
            )
        )
    return out
