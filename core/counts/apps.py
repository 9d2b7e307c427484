from core.modules import DomainAppConfig


class CountsConfig(DomainAppConfig):
    default = True
    name = "core.counts"
    label = "counts"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Cycle counts"

    def ready(self) -> None:
        from core.counts.graphql.mutations import CountsMutations
        from core.counts.graphql.queries import CountsQueries

        self.graphql_queries = (CountsQueries,)
        self.graphql_mutations = (CountsMutations,)
