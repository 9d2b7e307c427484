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
    nav = (
        NavEntry("web:dashboard", "仪表盘", "Dashboard", "gauge"),
        NavEntry("web:item_list", "商品", "Items", "box"),
        NavEntry("web:master_index", "主数据", "Master data", "database"),
        NavEntry("web:stock_levels", "库存", "Stock", "layers"),
        NavEntry("web:po_list", "采购订单", "Purchase orders", "truck"),
        NavEntry("web:so_list", "销售订单", "Sales orders", "cart"),
        NavEntry("web:transfer_list", "调拨", "Transfers", "shuffle"),
        NavEntry("web:count_list", "盘点", "Counts", "clipboard"),
        NavEntry("web:replenishment", "补货建议", "Replenishment", "refresh"),
        NavEntry("web:import_upload", "导入", "Imports", "upload"),
        NavEntry("web:rule_list", "规则", "Rules", "sliders"),
        NavEntry("web:approval_list", "审批", "Approvals", "check"),
        NavEntry("web:training_upload", "销售历史与训练", "Sales history & training", "activity"),
    )

    def ready(self) -> None:
        # Imported here: GraphQL types need the models, which are not loaded when apps.py is.
        from core.graphql.accounts import AccountMutations, AccountQueries
        from core.graphql.core_queries import CoreQueries
        from core.web.graphql_masterdata import MasterDataMutations, MasterDataQueries

        self.graphql_queries = (CoreQueries, AccountQueries, MasterDataQueries)
        self.graphql_mutations = (AccountMutations, MasterDataMutations)

        from core.onboarding import CORE_ONBOARDING_STEPS

        self.onboarding_steps = CORE_ONBOARDING_STEPS

        from core.sales.backorders import reallocate_after_receipt

        self.event_consumers = (reallocate_after_receipt,)

        from core.demo import build_core_demo

        self.demo_data = build_core_demo
