"""The discrete manufacturing module (离散制造)."""

from core.modules import MLSpec, ModuleConfig, NavEntry
from ml_models.specs import RealSource


def demand_base_data() -> RealSource:
    """The real series behind the base demand model, at a median 1.5 units a day:
    PBS prescription series standing in for spare parts (many zero months)."""
    return RealSource("pbs", None, 1.5)


# The synthetic generator's and the monthly → daily spread's settings (ml_models.specs.VerticalProfile).
DEMAND_PROFILE = {
    "weekend_lift": 0.4,
    "holiday_lift": 0.3,
    "spring_festival_lift": 0.3,
    "shopping_lift": 1.0,
    "promo_lift": 1.1,
    "rain_effect": 0.0,
    "zero_share": 0.6,
}


class DiscreteMfgConfig(ModuleConfig):
    default = True  # apps.py also imports ModuleConfig; pick this one
    name = "verticals.discrete_mfg"
    label = "discrete_mfg"
    default_auto_field = "django.db.models.BigAutoField"
    code = "discrete_mfg"
    name_zh = "离散制造"
    name_en = "Discrete manufacturing"
    description_zh = "BOM、BOM 变更影响、工单与交期预测。"
    description_en = "BOMs, BOM-change impact, work orders and lead-time prediction."
    monthly_price_cny = 199
    monthly_price_usd = 29
    ml_specs = (MLSpec(kind="demand", description="daily demand", base_data=demand_base_data, profile=DEMAND_PROFILE),)
    nav = (
        NavEntry("discrete_mfg:eco_list", "BOM 变更", "BOM changes", "eco"),
        NavEntry("discrete_mfg:mrp", "MRP 工作台", "MRP workbench", "mrp"),
        NavEntry("discrete_mfg:work_orders", "生产工单", "Work orders", "work_order"),
    )

    def ready(self) -> None:
        from verticals.discrete_mfg.setup import declare

        declare(self)
