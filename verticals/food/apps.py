"""The food module (食品)."""

from core.modules import MLSpec, ModuleConfig, NavEntry


class FoodConfig(ModuleConfig):
    default = True  # apps.py also imports ModuleConfig; pick this one
    name = "verticals.food"
    label = "food"
    default_auto_field = "django.db.models.BigAutoField"
    code = "food"
    name_zh = "食品"
    name_en = "Food"
    description_zh = "批次与保质期、先到期先出、冷链温度记录与召回追溯。"
    description_en = "Lots and expiry, FEFO, cold-chain readings and recall tracing."
    monthly_price_cny = 149
    monthly_price_usd = 21
    # The demand base model (public.food.demand) a tenant with this module is fine-tuned from and served by.
    ml_specs = (MLSpec(kind="demand", description="Perishable daily demand: weather, festivals, short shelf life."),)
    nav = (NavEntry("food:cold_chain", "冷链温度", "Cold chain", "thermometer"),)

    def ready(self) -> None:
        # Imported here: GraphQL types need the models, which are not loaded when apps.py is.
        from verticals.food.graphql.mutations import FoodMutations
        from verticals.food.graphql.queries import FoodQueries

        self.graphql_queries = (FoodQueries,)
        self.graphql_mutations = (FoodMutations,)

        from verticals.food.demo import build_food_demo

        self.demo_data = build_food_demo
