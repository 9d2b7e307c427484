from collections.abc import Sequence

from core.modules import DomainAppConfig, PeriodicJob


class PlanningConfig(DomainAppConfig):
    """Planning: demand history, forecasting, replenishment. Its nightly job is declared in `periodic_jobs`."""

    periodic_jobs: Sequence[PeriodicJob] = ()
    default = True
    name = "core.planning"
    label = "planning"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core.inventory.position import register_position_source
        from core.planning.selectors import drafted_replenishment

        # Approved replenishment whose order is still a draft counts in inventory position (see the selector).
        register_position_source("planning.drafted_replenishment", drafted_replenishment)

        from core.planning.graphql.mutations import PlanningMutations
        from core.planning.graphql.queries import PlanningQueries

        self.graphql_queries = (PlanningQueries,)

        from core.planning.graphql.backtest import BacktestQueries

        self.graphql_queries = (*self.graphql_queries, BacktestQueries)
        from core.planning.graphql.history_mutations import DemandHistoryMutations
        from core.planning.graphql.history_queries import DemandHistoryQueries

        self.graphql_queries = (*self.graphql_queries, DemandHistoryQueries)
        self.graphql_mutations = (PlanningMutations, DemandHistoryMutations)

        from core.planning.tasks import NIGHTLY_SCHEDULE, nightly_forecast_and_replenishment

        # contract: beat reads periodic jobs from the registry once the registry-driven scheduler lands; until
        # then core/celery.py carries the same entry.
        self.periodic_jobs = (
            PeriodicJob("planning-nightly-forecast-replenishment", nightly_forecast_and_replenishment, NIGHTLY_SCHEDULE),
        )
