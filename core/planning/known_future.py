"""Known-future inputs and the ONE feature builder: training, backtests and serving all call
`build_demand_panel`, so they can never see different inputs.

Channels (each (N, T + H): history plus H future days), as the forecasting library expects them:
- "open": 1 open / 0 closed, from the location's calendar, the region's public holidays (where the
  calendar says it closes on them) and an upload's `open` column (a row wins over the calendar);
- "promo": promotion depth 0..1 (the discount share; 1 for a promotion without a discount figure), from
  Promotion records and an upload's `promo` column;
- "price": the uploaded (actual or planned) unit price, carried forward; NaN before the first known price;
- "holiday": 1 on the public holidays of the tenant's region (PlanningSettings.holiday_region, CN by default).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from core.catalog.models import Item
from core.planning.history import HistoryTable, read_history
from core.planning.models import LocationCalendar, PlanningSettings, Promotion

if TYPE_CHECKING:
    from ml_models.features import DemandPanel

DEFAULT_REGION = "CN"


def planning_settings() -> PlanningSettings:
    found = PlanningSettings.objects.order_by("pk").first()
    return found or PlanningSettings()


@lru_cache(maxsize=64)
def _holidays(region: str, first_year: int, last_year: int) -> frozenset[date]:
    import holidays

    try:
        found = holidays.country_holidays(region, years=range(first_year, last_year + 1))
    except NotImplementedError:
        found = holidays.country_holidays(DEFAULT_REGION, years=range(first_year, last_year + 1))
    return frozenset(found.keys())


def holiday_flags(region: str, dates: pd.DatetimeIndex) -> np.ndarray:
    """1.0 on the region's public holidays, for each date."""
    days = _holidays(region, int(dates[0].year), int(dates[-1].year))
    return np.array([1.0 if d.date() in days else 0.0 for d in dates], dtype=np.float32)


@dataclass(frozen=True)
class PanelKeys:
    """Which row of the panel is which item × location (`keys` are `<item_id>:<location_id>`)."""

    item_ids: np.ndarray
    location_ids: np.ndarray


def build_demand_panel(
    *, horizon: int, end: date | None = None, history: HistoryTable | None = None
) -> tuple[DemandPanel, PanelKeys] | None:
    """The tenant's whole demand history as a daily panel ending `end` (default: the last day with an actual
    figure), with the known-future channels for `horizon` more days; None without any history.

    One series per item × location with at least one actual figure. Days between a series' first figure and
    `end` without a figure count as zero demand (nothing sold, e.g. a closed day); days before it are NaN.
    """
    table = history if history is not None else read_history()
    actual = np.isfinite(table.quantity)
    if not actual.any():
        return None
    last = table.date[actual].max() if end is None else np.datetime64(end, "D")
    first = table.date[actual].min()
    dates = pd.date_range(pd.Timestamp(first), pd.Timestamp(last), freq="D")
    total = len(dates) + horizon
    # One int64 code per item × location (location ids stay far below 2^32): unique and searchsorted keep the
    # mapping of 1.5 M rows to series vectorised.
    codes = (table.item_id << 32) | table.location_id
    series_codes = np.unique(codes[actual])
    pairs = np.stack([series_codes >> 32, series_codes & 0xFFFFFFFF], axis=1)
    n = len(pairs)
    position = np.minimum(np.searchsorted(series_codes, codes), n - 1)
    rows = np.where(series_codes[position] == codes, position, -1)
    column = (table.date - first).astype(np.int64)

    values = np.full((n, len(dates)), np.nan, dtype=np.float32)
    in_range = column[actual] < len(dates)
    values[rows[actual][in_range], column[actual][in_range]] = table.quantity[actual][in_range]
    started = np.cumsum(np.isfinite(values), axis=1) > 0
    values = np.where(started & ~np.isfinite(values), 0.0, values).astype(np.float32)

    # Rows of every kind (actual and plan) that fall on a known pair and inside history + horizon.
    usable = (rows >= 0) & (column >= 0) & (column < total)
    r, c = rows[usable], column[usable]

    promo = np.zeros((n, total), dtype=np.float32)
    promo[r, c] = table.promo[usable]
    promo = np.maximum(promo, _promotion_depths(pairs, dates[0].date(), total))

    price = np.full((n, total), np.nan, dtype=np.float32)
    price[r, c] = table.price[usable]
    price = pd.DataFrame(price).ffill(axis=1).to_numpy(np.float32)

    region = planning_settings().holiday_region or DEFAULT_REGION
    all_dates = pd.date_range(dates[0], periods=total, freq="D")
    holiday = np.repeat(holiday_flags(region, all_dates)[None, :], n, axis=0)

    is_open = _calendar_open(pairs[:, 1], all_dates, holiday[0] if n else np.zeros(total, dtype=np.float32))
    override = table.is_open[usable]
    known = np.isfinite(override)
    is_open[r[known], c[known]] = override[known]

    return _panel(
        [f"{i}:{loc}" for i, loc in pairs], dates, values, {"open": is_open, "promo": promo, "price": price, "holiday": holiday}
    ), PanelKeys(pairs[:, 0], pairs[:, 1])


def _panel(keys: list[str], dates: pd.DatetimeIndex, values: np.ndarray, channels: dict[str, np.ndarray]) -> DemandPanel:
    """A DemandPanel with every channel. A library that does not know a channel yet (today's EXOG_CHANNELS
    lacks "open" and "holiday") gets it attached after construction: its features ignore names they do not
    read, and the planning side (closures, holidays) reads them from the same panel."""
    from ml_models.features import EXOG_CHANNELS, DemandPanel

    known = {name: channel for name, channel in channels.items() if name in EXOG_CHANNELS}
    panel = DemandPanel(keys, dates, values, "D", known)
    panel.exog.update(channels)
    return panel


def _calendar_open(location_ids: np.ndarray, dates: pd.DatetimeIndex, holiday: np.ndarray) -> np.ndarray:
    """(N, len(dates)) 1 open / 0 closed from each location's calendar."""
    calendars = {c.location_id: c for c in LocationCalendar.objects.filter(location_id__in={int(x) for x in location_ids})}
    weekdays = dates.weekday.to_numpy()
    iso = [d.date().isoformat() for d in dates]
    out = np.ones((len(location_ids), len(dates)), dtype=np.float32)
    for r, location_id in enumerate(location_ids):
        calendar = calendars.get(int(location_id))
        if calendar is None:
            continue
        closed = np.isin(weekdays, [int(w) for w in calendar.closed_weekdays])
        closed |= np.isin(iso, [str(d) for d in calendar.closed_dates])
        if calendar.closed_on_public_holidays:
            closed |= holiday > 0
        out[r, closed] = 0.0
    return out


def _promotion_depths(pairs: np.ndarray, first: date, total: int) -> np.ndarray:
    """(N, total) promotion depth per pair and day from the Promotion records overlapping the window."""
    depth = np.zeros((len(pairs), total), dtype=np.float32)
    last = first + timedelta(days=total - 1)
    promotions = list(Promotion.objects.filter(start_date__lte=last, end_date__gte=first).prefetch_related("locations"))
    if not promotions:
        return depth
    categories = dict(Item.objects.filter(pk__in={int(i) for i in pairs[:, 0]}).values_list("pk", "category_id"))
    for promotion in promotions:
        locations = {loc.pk for loc in promotion.locations.all()}
        value = float(promotion.discount) if promotion.discount is not None else 1.0
        start = max(0, (promotion.start_date - first).days)
        stop = min(total, (promotion.end_date - first).days + 1)
        for r, (item_id, location_id) in enumerate(pairs):
            if locations and int(location_id) not in locations:
                continue
            if promotion.item_id is not None and promotion.item_id != int(item_id):
                continue
            if promotion.item_id is None and categories.get(int(item_id)) != promotion.category_id:
                continue
            depth[r, start:stop] = np.maximum(depth[r, start:stop], value)
    return depth
