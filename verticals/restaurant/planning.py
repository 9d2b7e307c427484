"""Prep and par planning (备料计划): dish forecasts per outlet and day become prep quantities, ingredient
demand for replenishment, and par gaps.

`dish_forecast` is the one place that reads the forecasting machinery, so a change there touches one function.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal

import numpy as np
from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import TruncDate

from core.inventory.selectors import level_totals
from ml_models.baselines import moving_average, seasonal_naive
from verticals.restaurant import events
from verticals.restaurant.models import Dish, DishForecast, Outlet, ParLevel, PosTicketLine, Recipe, TicketLineKind
from verticals.restaurant.rostering import covers_forecast
from verticals.restaurant.services import RecipeBook

HISTORY_DAYS = 28
ZERO = Decimal(0)


@dataclass(frozen=True)
class PrepRow:
    """One line of the prep list: a dish to expect, or a sub-recipe / ingredient to get ready."""

    kind: str  # "dish", "sub_recipe" or "ingredient"
    code: str
    name: str
    quantity: Decimal
    on_hand: Decimal | None = None
    par: Decimal | None = None
    to_prepare: Decimal | None = None  # ingredient: max(0, demand + par − on hand)


def is_open(outlet: Outlet, day: date) -> bool:
    return not outlet.open_weekdays or day.weekday() in outlet.open_weekdays


def dish_forecast(outlet_id: int, day: date) -> dict[int, Decimal]:
    """Portions per dish expected at the outlet on `day`: the stored dish forecast when there is one,
    else the core's seasonal-naive baseline (weekly season) over the last four weeks of POS sales, falling
    back to a moving average when the history is shorter than two weeks. A closed day expects nothing."""
    outlet = Outlet.objects.get(pk=outlet_id)
    if not is_open(outlet, day):
        return {}
    stored = dict(DishForecast.objects.filter(outlet_id=outlet_id, day=day).values_list("dish_id", "quantity"))
    if stored:
        return stored
    start = day - timedelta(days=HISTORY_DAYS)
    rows = (
        PosTicketLine.objects.filter(
            outlet_id=outlet_id, kind=TicketLineKind.SALE, dish__isnull=False, sold_at__date__gte=start, sold_at__date__lt=day
        )
        .annotate(on=TruncDate("sold_at"))
        .values("dish_id", "on")
        .annotate(total=Sum("quantity"))
    )
    series: dict[int, np.ndarray] = defaultdict(lambda: np.zeros(HISTORY_DAYS))
    for row in rows:
        series[row["dish_id"]][(row["on"] - start).days] = float(row["total"])
    result: dict[int, Decimal] = {}
    for dish_id, history in series.items():
        observed = history[np.nonzero(history)[0][0] :] if history.any() else history
        if len(observed) >= 14:
            value = seasonal_naive(observed, 1, 7)[0, 0]
        else:
            value = moving_average(observed, 1, min(7, len(observed)))[0, 0]
        if value > 0:
            result[dish_id] = Decimal(str(round(float(value), 2)))
    return result


def ingredient_demand(outlet_id: int, start: date, days: int = 1) -> dict[int, Decimal]:
    """Base-unit ingredient quantities the forecast dishes will take, summed over the days."""
    book = RecipeBook()
    demand: dict[int, Decimal] = defaultdict(Decimal)
    for offset in range(days):
        for dish_id, portions in dish_forecast(outlet_id, start + timedelta(days=offset)).items():
            if book.has_recipe(dish_id):
                for item_id, quantity in book.per_portion(dish_id).items():
                    demand[item_id] += quantity * portions
    return dict(demand)


def prep_list(outlet_id: int, day: date) -> list[PrepRow]:
    """Dishes to expect, sub-recipes to make ahead, and the ingredients to have out, against on hand and par."""
    outlet = Outlet.objects.get(pk=outlet_id)
    forecast = dish_forecast(outlet_id, day)
    dishes = Dish.objects.in_bulk(list(forecast))
    rows = [
        PrepRow("dish", dishes[d].code, dishes[d].name_zh, q)
        for d, q in sorted(forecast.items(), key=lambda kv: dishes[kv[0]].code)
    ]
    rows += _sub_recipe_rows(forecast)
    demand = ingredient_demand(outlet_id, day)
    pars = dict(ParLevel.objects.filter(outlet_id=outlet_id).values_list("item_id", "quantity"))
    held = {
        item: on_hand for (item, _loc), (on_hand, _reserved) in level_totals(list(demand), [outlet.stock_location_id]).items()
    }
    from core.catalog.models import Item

    items = Item.objects.in_bulk(list(demand))
    for item_id, quantity in sorted(demand.items(), key=lambda kv: items[kv[0]].sku):
        on_hand, par = held.get(item_id, ZERO), pars.get(item_id, ZERO)
        gap = max(quantity + par - on_hand, ZERO).quantize(Decimal("0.01"), rounding=ROUND_CEILING)
        rows.append(
            PrepRow(
                "ingredient", items[item_id].sku, items[item_id].name_zh, quantity.quantize(Decimal("0.001")), on_hand, par, gap
            )
        )
    return rows


def _sub_recipe_rows(forecast: dict[int, Decimal]) -> list[PrepRow]:
    """How much of each sub-recipe (broth base, sauces) the day's dishes use, made ahead in batches."""
    book = RecipeBook()
    needed: dict[int, Decimal] = defaultdict(Decimal)
    for dish_id, portions in forecast.items():
        if not book.has_recipe(dish_id):
            continue
        version = book.current[book.dish_recipe[dish_id]]
        for _item, sub_id, gross in book.lines.get(version, []):
            if sub_id is not None:
                needed[sub_id] += gross * portions / book.yields[version]
    recipes = Recipe.objects.in_bulk(list(needed))
    return [
        PrepRow("sub_recipe", recipes[r].code, recipes[r].name, q.quantize(Decimal("0.001")))
        for r, q in sorted(needed.items(), key=lambda kv: recipes[kv[0]].code)
    ]


def prep_demand_position(item_ids: list[int], location_ids: list[int]) -> dict[tuple[int, int], Decimal]:
    """Inventory-position source: tomorrow's recipe demand at each outlet, as a commitment (−), so
    replenishment orders for the dishes the outlet will sell before the next delivery."""
    tomorrow = date.today() + timedelta(days=1)
    result: dict[tuple[int, int], Decimal] = {}
    wanted = set(item_ids)
    for outlet in Outlet.objects.filter(stock_location_id__in=location_ids):
        for item_id, quantity in ingredient_demand(outlet.pk, tomorrow).items():
            if item_id in wanted:
                result[(item_id, outlet.stock_location_id)] = -quantity
    return result


# --- the rule pack's daily kitchen events ----------------------------------------------------------------


def publish_prep_lists(day: date, *, actor: str = "system") -> int:
    """One `restaurant.prep_list_built` event per outlet open on `day`: its expected covers (tickets; the
    mean of the same weekday over four weeks) and their change against the same weekday a week earlier, with
    the day's calendar and weather, for the prep rules (rainy weekend, holiday, a 30 % jump). Returns the
    events written."""
    written = 0
    for outlet in Outlet.objects.select_related("store"):
        if not is_open(outlet, day):
            continue
        expected = sum(value for (_code, offset, _hour), value in covers_forecast(outlet, day).items() if offset == 0)
        covers = Decimal(str(round(expected, 1)))
        week_ago = (
            PosTicketLine.objects.filter(outlet=outlet, kind=TicketLineKind.SALE, sold_at__date=day - timedelta(days=7))
            .values("ticket_no")
            .distinct()
            .count()
        )
        change = ((covers - week_ago) / week_ago * 100).quantize(Decimal("0.1")) if week_ago else None
        with transaction.atomic():
            events.prep_list_built(outlet, day, forecast_covers=covers, change_pct=change, actor=actor)
        written += 1
    return written


def check_par_levels(day: date, *, actor: str = "system") -> int:
    """One `restaurant.par_checked` event per outlet × ingredient with a par level: on hand as a percent of
    par (below half, twice the par, short before a weekend). Returns the events written."""
    written = 0
    for outlet in Outlet.objects.select_related("store"):
        pars = dict(ParLevel.objects.filter(outlet=outlet, quantity__gt=0).values_list("item_id", "quantity"))
        if not pars:
            continue
        held = level_totals(list(pars), [outlet.stock_location_id])
        covers = [
            (item_id, (held.get((item_id, outlet.stock_location_id), (ZERO, ZERO))[0] / par * 100).quantize(Decimal("0.1")))
            for item_id, par in sorted(pars.items())
        ]
        with transaction.atomic():
            events.par_checked(outlet, day, covers, actor=actor)
        written += len(covers)
    return written
