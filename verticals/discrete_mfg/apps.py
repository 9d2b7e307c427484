"""The discrete manufacturing module (离散制造)."""

from core.modules import MLSpec, ModuleConfig


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
    # The demand base model (public.discrete_mfg.demand) a tenant with this module is fine-tuned from and served by.
    ml_specs = (MLSpec(kind="demand", description="Component demand: intermittent, driven by production orders."),)
