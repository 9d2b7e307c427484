"""The retail module (零售)."""

from core.modules import MLSpec, ModuleConfig, NavEntry


class RetailConfig(ModuleConfig):
    default = True  # apps.py also imports ModuleConfig; pick this one
    name = "verticals.retail"
    label = "retail"
    default_auto_field = "django.db.models.BigAutoField"
    code = "retail"
    name_zh = "零售"
    name_en = "Retail"
    description_zh = "门店、POS 数据接入、门店补货与促销。"
    description_en = "Stores, POS ingestion, store replenishment and promotions."
    monthly_price_cny = 99
    monthly_price_usd = 15
    # The demand base model (public.retail.demand) a tenant with this module is fine-tuned from and served by.
    ml_specs = (MLSpec(kind="demand", description="Store × item daily demand: weekly rhythm, promotions, festivals."),)
    nav = (NavEntry("retail:store_list", "门店", "Stores", "store"),)

    def ready(self) -> None:
        # Imported here: GraphQL types need the models, which are not loaded when apps.py is.
        from verticals.retail.graphql.mutations import RetailMutations
        from verticals.retail.graphql.queries import RetailQueries

        self.graphql_queries = (RetailQueries,)
        self.graphql_mutations = (RetailMutations,)

        from verticals.retail.demo import build_retail_demo

        self.demo_data = build_retail_demo
