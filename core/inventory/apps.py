"""The stock ledger."""

from core.modules import DomainAppConfig


class InventoryConfig(DomainAppConfig):
    default = True
    name = "core.inventory"
    label = "inventory"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Inventory"

    def ready(self) -> None:
        from core.inventory.graphql.mutations import InventoryMutations
        from core.inventory.graphql.queries import InventoryQueries

        self.graphql_queries = (InventoryQueries,)
        self.graphql_mutations = (InventoryMutations,)
