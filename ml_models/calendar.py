"""Chinese calendar features: statutory holidays, 调休 make-up workdays and the shopping festivals."""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

import holidays
import numpy as np
import pandas as pd

# Festivals whose first day anchors the "days to / since festival" features. The lunar ones
# (Spring Festival, Dragon Boat, Mid-Autumn) come from `holidays`, which computes them per year.
STATUTORY_FESTIVALS = {
    "spring_festival": "Chinese New Year (Spring Festival)",
    "qingming": "Tomb-Sweeping Day",
    "labour_day": "Labor Day",
    "dragon_boat": "Dragon Boat Festival",
    "mid_autumn": "Mid-Autumn Festival",
    "national_day": "National Day",
}
# E-commerce festivals are fixed dates; the promotions start days before (预售 presale).
SHOPPING_FESTIVALS = {"618": (6, 18), "double_11": (11, 11), "double_12": (12, 12)}
SHOPPING_LEAD_DAYS = {"618": 17, "double_11": 10, "double_12": 2}
FESTIVAL_HORIZON_DAYS = 14
SPRING_FESTIVAL_WINDOW = (-14, 7)

CALENDAR_COLUMNS = (
    "is_holiday",
    "is_makeup_workday",
    "is_weekend",
    "dow_sin",
    "dow_cos",
    "doy_sin",
    "doy_cos",
    "days_to_festival",
    "days_since_festival",
    "spring_festival_window",
    "shopping_618",
    "shopping_double_11",
    "shopping_double_12",
    "period_days",
)

_SUBSTITUTED_FROM = re.compile(r"substituted from (\d{2})/(\d{2})/(\d{4})")


@lru_cache(maxsize=256)
def _china_year(year: int) -> holidays.HolidayBase:
    return holidays.China(years=year)


def holiday_days(year: int) -> set[date]:
    """Statutory days off (incl. the swapped days) of one year."""
    return set(_china_year(year).keys())


def makeup_workdays(year: int) -> set[date]:
    """Weekend days that are working days because a holiday was bridged (调休)."""
    days: set[date] = set()
    for name in _china_year(year).values():
        for match in _SUBSTITUTED_FROM.finditer(name):
            month, day, y = (int(g) for g in match.groups())
            days.add(date(y, month, day))
    return days


def festival_dates(year: int) -> dict[str, date]:
    """First day of each statutory and shopping festival in `year`."""
    found: dict[str, date] = {}
    for day, name in sorted(_china_year(year).items()):
        for key, label in STATUTORY_FESTIVALS.items():
            if key not in found and name.startswith(label) and "observed" not in name:
                found[key] = day
    for key, (month, day_of_month) in SHOPPING_FESTIVALS.items():
        found[key] = date(year, month, day_of_month)
    return found


def _festival_anchors(first: date, last: date) -> np.ndarray:
    days = [d for y in range(first.year - 1, last.year + 2) for d in festival_dates(y).values()]
    return np.array(sorted(days), dtype="datetime64[D]")


def daily_calendar(days: pd.DatetimeIndex) -> np.ndarray:
    """Calendar matrix (len(days), len(CALENDAR_COLUMNS)) for consecutive or arbitrary days."""
    d64 = days.values.astype("datetime64[D]")
    years = range(days.min().year, days.max().year + 1)
    off = np.array(sorted({d for y in years for d in holiday_days(y)}), dtype="datetime64[D]")
    makeup = np.array(sorted({d for y in years for d in makeup_workdays(y)}), dtype="datetime64[D]")
    dow = days.day_of_week.to_numpy()
    doy = days.day_of_year.to_numpy()
    anchors = _festival_anchors(days.min().date(), days.max().date())
    nxt = np.searchsorted(anchors, d64, side="left")
    prev = np.searchsorted(anchors, d64, side="right") - 1
    days_to = (anchors[np.clip(nxt, 0, len(anchors) - 1)] - d64).astype(float)
    days_since = (d64 - anchors[np.clip(prev, 0, len(anchors) - 1)]).astype(float)
    spring = np.array(
        [festival_dates(y)["spring_festival"] for y in range(days.min().year - 1, days.max().year + 2)],
        dtype="datetime64[D]",
    )
    spring_offset = d64[:, None] - spring[None, :]
    lo, hi = SPRING_FESTIVAL_WINDOW
    in_spring = ((spring_offset >= np.timedelta64(lo, "D")) & (spring_offset <= np.timedelta64(hi, "D"))).any(axis=1)
    month, dom = days.month.to_numpy(), days.day.to_numpy()

    def shopping(key: str) -> np.ndarray:
        m, d = SHOPPING_FESTIVALS[key]
        return ((month == m) & (dom <= d) & (dom > d - SHOPPING_LEAD_DAYS[key] - 1)).astype(float)

    cols = [
        np.isin(d64, off).astype(float),
        np.isin(d64, makeup).astype(float),
        (dow >= 5).astype(float),
        np.sin(2 * np.pi * dow / 7),
        np.cos(2 * np.pi * dow / 7),
        np.sin(2 * np.pi * doy / 365.25),
        np.cos(2 * np.pi * doy / 365.25),
        np.clip(days_to, 0, FESTIVAL_HORIZON_DAYS) / FESTIVAL_HORIZON_DAYS,
        np.clip(days_since, 0, FESTIVAL_HORIZON_DAYS) / FESTIVAL_HORIZON_DAYS,
        in_spring.astype(float),
        shopping("618"),
        shopping("double_11"),
        shopping("double_12"),
        np.ones(len(days)),
    ]
    return np.stack(cols, axis=1).astype(np.float32)


def calendar_features(periods: pd.DatetimeIndex, freq: str) -> np.ndarray:
    """Calendar matrix per period: daily rows as is, monthly rows as the mean over the month's days."""
    if freq == "D":
        return daily_calendar(periods)
    if freq != "M":
        raise ValueError(f"unsupported frequency {freq!r}")
    starts = periods.to_period("M").to_timestamp()
    days = pd.date_range(starts.min(), (starts.max() + pd.offsets.MonthEnd(0)), freq="D")
    daily = pd.DataFrame(daily_calendar(days), index=days.to_period("M"))
    monthly = daily.groupby(level=0).mean()
    # Trading days matter for monthly totals: encode the month's length instead of the constant 1.
    monthly.iloc[:, -1] = days.to_period("M").value_counts().sort_index().to_numpy() / 31.0
    return monthly.loc[starts.to_period("M")].to_numpy(dtype=np.float32)
