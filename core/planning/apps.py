from core.modules import DomainAppConfig


class PlanningConfig(DomainAppConfig):
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
        self.graphql_mutations = (PlanningMutations,)
