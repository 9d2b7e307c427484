"""What a vertical's base demand model is trained on, as the vertical declares it (core.modules.MLSpec with
kind "demand": `base_data` returns a RealSource, `profile` the VerticalProfile fields).

The library knows no module names: functions that take a module code resolve it through the provider the
Django app installs at start-up (ml_models.apps reads the module registry); without Django, pass a
DemandBaseSpec (or a VerticalProfile) yourself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any


@dataclass(frozen=True)
class VerticalProfile:
    """How a vertical's demand moves with the calendar, promotions and weather (the synthetic generator's and
    the monthly → daily spread's settings)."""

    weekend_lift: float  # demand multiplier on Saturday/Sunday
    holiday_lift: float  # on statutory days off
    spring_festival_lift: float  # within the Spring Festival window (< 1: factories and offices close)
    shopping_lift: float  # during the 618 / Double 11 presale windows
    promo_lift: float  # when a promotion runs
    rain_effect: float  # relative change at 100 % precipitation probability
    zero_share: float  # share of days without any demand (intermittent items)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> VerticalProfile:
        names = {f.name for f in fields(cls)}
        missing, unknown = names - set(data), set(data) - names
        if missing or unknown:
            raise ValueError(f"demand profile: missing {sorted(missing)}, unknown {sorted(unknown)}")
        return cls(**{k: float(v) for k, v in data.items()})


@dataclass(frozen=True)
class RealSource:
    """Which shipped series stand for a vertical's demand, and at what volume."""

    dataset: str  # "aus_retail" or "pbs"
    industries: tuple[str, ...] | None  # aus_retail only; None: every series
    # Median units a day of a series (lognormal, σ 1): turnover is money and PBS counts are national totals,
    # so each series is rescaled to a store-item volume.
    median_units_per_day: float


@dataclass(frozen=True)
class DemandBaseSpec:
    module: str
    source: RealSource
    profile: VerticalProfile


SpecProvider = Callable[[], Mapping[str, DemandBaseSpec]]
_provider: SpecProvider | None = None


def set_spec_provider(provider: SpecProvider | None) -> None:
    """Installed by ml_models.apps at start-up: module code → the module's declared demand spec."""
    global _provider
    _provider = provider


def demand_specs() -> dict[str, DemandBaseSpec]:
    if _provider is None:
        raise LookupError("no demand specs: pass a DemandBaseSpec, or run inside Django (ml_models.apps)")
    return dict(_provider())


def demand_spec(module: str | DemandBaseSpec) -> DemandBaseSpec:
    if isinstance(module, DemandBaseSpec):
        return module
    specs = demand_specs()
    if module not in specs:
        raise ValueError(f"unknown module {module!r}; known: {', '.join(specs)}")
    return specs[module]


def spec_from_declaration(module: str, base_data: Callable[[], Any] | None, profile: Mapping[str, Any]) -> DemandBaseSpec:
    """A module's MLSpec(kind="demand", base_data=…, profile=…) as the library's spec."""
    if base_data is None:
        raise ValueError(f"module {module!r} declares a demand model without base_data")
    source = base_data()
    if not isinstance(source, RealSource):
        raise TypeError(f"module {module!r}: base_data must return an ml_models.specs.RealSource")
    return DemandBaseSpec(module, source, VerticalProfile.from_mapping(profile))
