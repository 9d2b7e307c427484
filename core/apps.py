"""The core module: the 进销存 ledger every tenant has."""

from core.modules import MLSpec, ModuleConfig, NavEntry, PeriodicJob
from core.rules.core_pack import CORE_PACK
from ml_models.specs import RealSource

DAY = 24 * 60 * 60


def demand_base_data() -> RealSource:
    """The real series behind the base demand model, at a median 12 units a day:
    the general trading module: every Australian retail turnover series still reported."""
    return RealSource("aus_retail", None, 12.0)


# The synthetic generator's and the monthly → daily spread's settings (ml_models.specs.VerticalProfile).
DEMAND_PROFILE = {
    "weekend_lift": 1.15,
    "holiday_lift": 1.2,
    "spring_festival_lift": 1.3,
    "shopping_lift": 1.2,
    "promo_lift": 1.4,
    "rain_effect": -0.05,
    "zero_share": 0.1,
}


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
    rules = CORE_PACK
    monthly_price_cny = 199
    monthly_price_usd = 29
    ml_specs = (MLSpec(kind="demand", description="daily demand", base_data=demand_base_data, profile=DEMAND_PROFILE),)
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
        from core.planning.graphql.dashboard import DashboardQueries
        from core.web.graphql_masterdata import MasterDataMutations, MasterDataQueries

        # DashboardQueries first: the root type lists the first class's fields last, so the schema prints the
        # dashboard's new types after every existing one (schema.graphql only grows at the end).
        self.graphql_queries = (DashboardQueries, CoreQueries, AccountQueries, MasterDataQueries)
        self.graphql_mutations = (AccountMutations, MasterDataMutations)

        from core.demo import build_core_demo

        self.demo_data = build_core_demo

        from core.onboarding import CORE_ONBOARDING_STEPS
        from core.tasks import clear_expired_sessions, reap_stuck_jobs

        self.onboarding_steps = CORE_ONBOARDING_STEPS
        self.periodic_jobs = (
            # Sessions live in each tenant's schema.
            PeriodicJob("clear-expired-sessions", clear_expired_sessions, DAY),
            # Long jobs whose worker died (core/jobs.py) are marked failed so the user can retry.
            PeriodicJob("core-reap-stuck-jobs", reap_stuck_jobs, 60.0),
        )
