from __future__ import annotations

from typing import TYPE_CHECKING

from core.modules import DomainAppConfig, PeriodicJob, PositionSourceSpec, registry

if TYPE_CHECKING:
    from ml_models.specs import DemandBaseSpec


def declared_demand_specs() -> dict[str, DemandBaseSpec]:
    """Module code → its MLSpec(kind="demand") as the library's spec, in the registry's order.

    Installed into the ml_models library from here: the library knows no module and imports nothing of the core.
    A demand spec without base data (a module that only names its demand model) has no base model of its own.
    """
    from ml_models.specs import spec_from_declaration

    return {
        cfg.code: spec_from_declaration(cfg.code, spec.base_data, spec.profile)
        for cfg in registry.all()
        for spec in cfg.ml_specs
        if spec.kind == "demand" and spec.base_data is not None
    }


class PlanningConfig(DomainAppConfig):
    """Planning: demand history, forecasting, replenishment. Its nightly job is declared in `periodic_jobs`."""

    default = True
    name = "core.planning"
    label = "planning"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core.jobs import register_reaper
        from core.planning.forecasting import reap_stuck_forecasting
        from core.planning.selectors import drafted_replenishment
        from ml_models.specs import set_spec_provider

        # Approved replenishment whose order is still a draft counts in inventory position (see the selector).
        self.position_sources = (PositionSourceSpec("planning.drafted_replenishment", drafted_replenishment),)
        set_spec_provider(declared_demand_specs)
        # A fine-tune or forecast run whose worker died is failed by the reaper, so the user can start it again.
        register_reaper("planning.forecasting", reap_stuck_forecasting)

        from core.planning.graphql.backtest import BacktestQueries
        from core.planning.graphql.history_mutations import DemandHistoryMutations
        from core.planning.graphql.history_queries import DemandHistoryQueries
        from core.planning.graphql.mutations import PlanningMutations
        from core.planning.graphql.queries import PlanningQueries

        self.graphql_queries = (PlanningQueries, BacktestQueries, DemandHistoryQueries)
        self.graphql_mutations = (PlanningMutations, DemandHistoryMutations)

        from core.planning.tasks import NIGHTLY_SCHEDULE, nightly_forecast_and_replenishment

        # One chain per tenant: history roll-up → forecasts → replenishment, so replenishment reads that night's
        # forecasts.
        self.periodic_jobs = (
            PeriodicJob("planning-nightly-forecast-replenishment", nightly_forecast_and_replenishment, NIGHTLY_SCHEDULE),
        )
