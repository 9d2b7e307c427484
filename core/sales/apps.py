from core.modules import DomainAppConfig, PositionSourceSpec


class SalesConfig(DomainAppConfig):
    default = True
    name = "core.sales"
    label = "sales"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Sales"

    def ready(self) -> None:
        from core.sales.selectors import backorder_quantities

        # Stock owed to customers lowers inventory position at the source, so replenishment covers it.
        self.position_sources = (PositionSourceSpec("sales.backorders", backorder_quantities),)

        from core.sales.backorders import reallocate_after_receipt

        # A receipt re-allocates sales orders waiting for stock (outbox consumer, idempotent).
        self.event_consumers = (reallocate_after_receipt,)

        from core.sales.graphql.mutations import SalesMutations
        from core.sales.graphql.queries import SalesQueries

        self.graphql_queries = (SalesQueries,)
        self.graphql_mutations = (SalesMutations,)
