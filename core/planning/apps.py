from core.modules import DomainAppConfig, PeriodicJob, PositionSourceSpec

DAY = 24 * 60 * 60


class PlanningConfig(DomainAppConfig):
    default = True
    name = "core.planning"
    label = "planning"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core.planning.selectors import drafted_replenishment

        # Approved replenishment whose order is still a draft counts in inventory position (see the selector).
        self.position_sources = (PositionSourceSpec("planning.drafted_replenishment", drafted_replenishment),)

        from core.planning.graphql.mutations import PlanningMutations
        from core.planning.graphql.queries import PlanningQueries

        self.graphql_queries = (PlanningQueries,)

        from core.planning.graphql.backtest import BacktestQueries

        self.graphql_queries = (*self.graphql_queries, BacktestQueries)
        self.graphql_mutations = (PlanningMutations,)

        from core.planning.tasks import run_nightly_replenishment
        from ml_models.tasks import refresh_forecasts

        # Nightly demand forecasts from each tenant's champion model, and replenishment proposals from the latest
        # forecasts (two daily timers for now; the per-tenant forecast → replenishment chain replaces them).
        self.periodic_jobs = (
            PeriodicJob("ml-refresh-forecasts", refresh_forecasts, DAY),
            PeriodicJob("planning-nightly-replenishment", run_nightly_replenishment, DAY),
        )
