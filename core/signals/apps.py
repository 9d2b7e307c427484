from core.modules import DomainAppConfig


class SignalsConfig(DomainAppConfig):
    default = True
    name = "core.signals"
    label = "demand_signals"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core.signals.graphql.mutations import SignalMutations
        from core.signals.graphql.queries import SignalQueries

        self.graphql_queries = (SignalQueries,)
        self.graphql_mutations = (SignalMutations,)
