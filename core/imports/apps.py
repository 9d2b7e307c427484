from core.modules import DomainAppConfig


class ImportsConfig(DomainAppConfig):
    default = True
    name = "core.imports"
    label = "imports"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core.imports.graphql.schema import ImportMutations, ImportQueries

        self.graphql_queries = (ImportQueries,)
        self.graphql_mutations = (ImportMutations,)
