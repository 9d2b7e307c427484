"""Chinese holidays, 调休 make-up workdays and shopping festivals reach the model as features."""

import pandas as pd

from ml_models.calendar import CALENDAR_COLUMNS, calendar_features, daily_calendar, festival_dates


def _day(frame: pd.DataFrame, day: str) -> pd.Series:
    return frame.loc[pd.Timestamp(day)]


def test_lunar_and_fixed_festivals_are_dated_per_year():
    # given / when
    dates = festival_dates(2025)

    # then
    assert str(dates["spring_festival"]) == "2025-01-29"
    assert str(dates["dragon_boat"]) == "2025-05-31"
    assert str(dates["mid_autumn"]) == "2025-10-06"
    assert str(dates["618"]) == "2025-06-18"
    assert str(dates["double_11"]) == "2025-11-11"


def test_daily_features_mark_holidays_makeup_workdays_and_shopping_windows():
    # given
    days = pd.date_range("2025-01-20", "2025-11-12")

    # when
    frame = pd.DataFrame(daily_calendar(days), index=days, columns=CALENDAR_COLUMNS)

    # then
    assert _day(frame, "2025-01-29")["is_holiday"] == 1
    assert _day(frame, "2025-01-26")["is_makeup_workday"] == 1  # Sunday worked before Spring Festival
    assert _day(frame, "2025-01-22")["spring_festival_window"] == 1
    assert _day(frame, "2025-01-28")["days_to_festival"] < _day(frame, "2025-01-22")["days_to_festival"]
    assert _day(frame, "2025-06-10")["shopping_618"] == 1
    assert _day(frame, "2025-06-20")["shopping_618"] == 0
    assert _day(frame, "2025-11-11")["shopping_double_11"] == 1
    assert _day(frame, "2025-03-12")["is_holiday"] == 0


def test_monthly_features_average_the_days_of_each_month():
    # given
    months = pd.date_range("2025-01-01", periods=3, freq="MS")

    # when
    frame = pd.DataFrame(calendar_features(months, "M"), index=months, columns=CALENDAR_COLUMNS)

    # then January 2025 holds the Spring Festival holidays, March none; February has 28 days
    assert frame.loc["2025-01-01", "is_holiday"] > 0
    assert frame.loc["2025-03-01", "is_holiday"] == 0
    assert frame.loc["2025-02-01", "period_days"] == 28 / 31
