from core.modules import DomainAppConfig, PositionSourceSpec


class PurchasingConfig(DomainAppConfig):
    default = True
    name = "core.purchasing"
    label = "purchasing"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Purchasing"

    def ready(self) -> None:
        from core.purchasing.selectors import open_purchase_quantities

        # 采购在途: ordered but not yet received counts toward inventory position at the destination.
        self.position_sources = (PositionSourceSpec("purchasing.open_orders", open_purchase_quantities),)

        from core.purchasing.graphql.mutations import PurchasingMutations
        from core.purchasing.graphql.queries import PurchasingQueries

        self.graphql_queries = (PurchasingQueries,)
        self.graphql_mutations = (PurchasingMutations,)
