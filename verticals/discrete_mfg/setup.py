"""The module's contract declarations, filled in AppConfig.ready() once the models are loaded."""

from __future__ import annotations

from typing import Any

from celery.schedules import crontab

from core.modules import MLSpec, OnboardingStep, PeriodicJob, PositionSourceSpec


def declare(config: Any) -> None:
    from verticals.discrete_mfg.mrp import on_domain_event
    from verticals.discrete_mfg.selectors import open_work_order_quantities

    config.position_sources = (PositionSourceSpec("discrete_mfg.open_work_orders", open_work_order_quantities),)
    config.event_consumers = (on_domain_event,)
    # The demand spec is declared on the class; the lead-time spec needs the model code, loaded here.
    config.ml_specs = (*type(config).ml_specs, lead_time_spec())
    from verticals.discrete_mfg import rules

    config.rules = rules.PACK
    rules.register()
    from verticals.discrete_mfg.demo import build_pump_demo
    from verticals.discrete_mfg.graphql.mutations import DiscreteMfgMutations
    from verticals.discrete_mfg.graphql.queries import DiscreteMfgQueries
    from verticals.discrete_mfg.tasks import scan_idle_stock

    config.graphql_queries = (DiscreteMfgQueries,)
    config.graphql_mutations = (DiscreteMfgMutations,)
    config.demo_data = build_pump_demo
    config.periodic_jobs = (PeriodicJob("discrete_mfg.idle_stock_scan", scan_idle_stock, crontab(hour=6, minute=15)),)
    config.onboarding_steps = onboarding_steps()


def lead_time_spec() -> MLSpec:
    from verticals.discrete_mfg.ml import lead_time

    return MLSpec(
        kind="lead_time",
        description="P10/P50/P90 supplier and production lead times; fine-tuned on the tenant's receipts.",
        base_data=lead_time.base_training_data,
        features=lead_time.FEATURES,
        profile=lead_time.profile_settings(),
        options={"quantiles": lead_time.QUANTILES, "model": "verticals.discrete_mfg.ml.lead_time.LeadTimeNet"},
    )


def onboarding_steps() -> tuple[OnboardingStep, ...]:
    from verticals.discrete_mfg.models import BomState, BomVersion, MrpRun, WorkOrder

    return (
        OnboardingStep("mfg_bom", "发布第一份 BOM", "Release your first BOM", "discrete_mfg:eco_list",
                       lambda: BomVersion.objects.filter(state=BomState.RELEASED).exists(), order=300),
        OnboardingStep("mfg_mrp", "运行一次 MRP", "Run MRP once", "discrete_mfg:mrp", lambda: MrpRun.objects.exists(), order=310),
        OnboardingStep("mfg_work_order", "完成一张生产工单", "Complete a work order", "discrete_mfg:work_orders",
                       lambda: WorkOrder.objects.filter(state__in=("completed", "closed")).exists(), order=320),
    )  # fmt: skip
