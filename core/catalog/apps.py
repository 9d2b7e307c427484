"""Catalog: items, categories, units."""

from core.modules import DomainAppConfig


class CatalogConfig(DomainAppConfig):
    default = True
    name = "core.catalog"
    label = "catalog"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Catalog"

    def ready(self) -> None:
        from core.catalog.graphql.mutations import CatalogMutations
        from core.catalog.graphql.queries import CatalogQueries

        self.graphql_queries = (CatalogQueries,)
        self.graphql_mutations = (CatalogMutations,)
