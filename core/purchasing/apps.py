from core.modules import DomainAppConfig


class PurchasingConfig(DomainAppConfig):
    default = True
    name = "core.purchasing"
    label = "purchasing"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Purchasing"

    def ready(self) -> None:
        from core.inventory.position import register_position_source
        from core.purchasing.selectors import open_purchase_quantities

        # 采购在途: ordered but not yet received counts toward inventory position at the destination.
        register_position_source("purchasing.open_orders", open_purchase_quantities)

        from core.purchasing.graphql.mutations import PurchasingMutations
        from core.purchasing.graphql.queries import PurchasingQueries

        self.graphql_queries = (PurchasingQueries,)
        self.graphql_mutations = (PurchasingMutations,)
