"""The restaurant module (餐饮)."""

from core.modules import MLSpec, ModuleConfig


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
    # The demand base model (public.restaurant.demand) a tenant with this module is fine-tuned from and served by.
    ml_specs = (MLSpec(kind="demand", description="Dish and ingredient daily demand: strong weekday and meal-time rhythm."),)
