"""The core module: the 进销存 ledger every tenant has."""

from core.modules import ModuleConfig, NavEntry


class CoreConfig(ModuleConfig):
    default = True  # apps.py also imports ModuleConfig; pick this one
    name = "core"
    label = "core"
    code = "core"
    name_zh = "核心进销存"
    name_en = "Core inventory"
    description_zh = "商品、采购、销售、调拨在途、盘点、库存台账与订单时间线。"
    description_en = "Items, purchasing, sales, transfers in transit, counts, the stock ledger and order timelines."
    always_on = True
    monthly_price_cny = 199
    monthly_price_usd = 29
    nav = (NavEntry("web:dashboard", "仪表盘", "Dashboard", "gauge"),)

    def ready(self) -> None:
        # Imported here: GraphQL types need the models, which are not loaded when apps.py is.
        from core.graphql.accounts import AccountMutations, AccountQueries
        from core.graphql.core_queries import CoreQueries

        self.graphql_queries = (CoreQueries, AccountQueries)
        self.graphql_mutations = (AccountMutations,)
