from core.modules import DomainAppConfig


class LogisticsConfig(DomainAppConfig):
    default = True
    name = "core.logistics"
    label = "logistics"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Logistics"

    def ready(self) -> None:
        from core.logistics.graphql.mutations import LogisticsMutations
        from core.logistics.graphql.queries import LogisticsQueries

        self.graphql_queries = (LogisticsQueries,)
        self.graphql_mutations = (LogisticsMutations,)
