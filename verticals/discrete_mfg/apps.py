"""The discrete manufacturing module (离散制造)."""

from core.modules import ModuleConfig, NavEntry


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
    nav = (
        NavEntry("discrete_mfg:eco_list", "BOM 变更", "BOM changes", "eco"),
        NavEntry("discrete_mfg:mrp", "MRP 工作台", "MRP workbench", "mrp"),
        NavEntry("discrete_mfg:work_orders", "生产工单", "Work orders", "work_order"),
    )

    def ready(self) -> None:
        from verticals.discrete_mfg.setup import declare

        declare(self)
