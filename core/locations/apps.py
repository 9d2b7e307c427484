"""Locations: warehouses, stores, bins, transit and virtual locations."""

from core.modules import DomainAppConfig


class LocationsConfig(DomainAppConfig):
    default = True
    name = "core.locations"
    label = "locations"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Locations"

    def ready(self) -> None:
        from core.locations.graphql.mutations import LocationMutations
        from core.locations.graphql.queries import LocationQueries

        self.graphql_queries = (LocationQueries,)
        self.graphql_mutations = (LocationMutations,)
