from core.modules import DomainAppConfig


class SalesConfig(DomainAppConfig):
    default = True
    name = "core.sales"
    label = "sales"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Sales"

    def ready(self) -> None:
        from core.inventory.position import register_position_source
        from core.sales.selectors import backorder_quantities

        # Stock owed to customers lowers inventory position at the source, so replenishment covers it.
        register_position_source("sales.backorders", backorder_quantities)

        # contract: CoreConfig.event_consumers declares it; registered here too until the core reads the
        # declarations (registering twice is a no-op).
        from core.events.webhooks import register_event_consumer
        from core.sales.backorders import reallocate_after_receipt

        register_event_consumer(reallocate_after_receipt)

        from core.sales.graphql.mutations import SalesMutations
        from core.sales.graphql.queries import SalesQueries

        self.graphql_queries = (SalesQueries,)
        self.graphql_mutations = (SalesMutations,)
