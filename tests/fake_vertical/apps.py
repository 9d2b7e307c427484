"""The test kit module: one declaration of each kind the module contract offers."""

from core.modules import MLSpec, ModuleConfig, NavEntry, OnboardingStep, PeriodicJob, PositionSourceSpec, TransitionHookSpec

TESTKIT_PACK = (
    {
        "key": "testkit_huge_purchase_notice",
        "version": 1,
        "name": "测试套件：超大采购通知",
        "trigger": "purchase_order.submitted",
        "text": '当采购金额>=99999999时，通知所有者："测试套件规则"',
        "active": False,
        "priority": 90,
        "description": "The test kit's pack rule; off, so it changes nothing where the kit is enabled.",
    },
)

TESTKIT_DEMAND_SPEC = MLSpec(
    kind="demand",
    description="The test kit's demand model: weekly seasonality only.",
    features=("is_weekend",),
    profile={"seasonality": 7},
)


class TestkitConfig(ModuleConfig):
    default = True  # apps.py also imports ModuleConfig; pick this one
    name = "tests.fake_vertical"
    label = "testkit"
    code = "testkit"
    name_zh = "测试套件"
    name_en = "Test kit"
    description_zh = "仅用于测试的模块。"
    description_en = "A module that exists only in the tests."
    monthly_price_cny = 1
    monthly_price_usd = 1
    rules = TESTKIT_PACK
    ml_specs = (TESTKIT_DEMAND_SPEC,)
    nav = (NavEntry("testkit:home", "测试套件", "Test kit", "box"),)

    def ready(self) -> None:
        from tests.fake_vertical import declarations
        from tests.fake_vertical.graphql import TestkitMutations, TestkitQueries
        from tests.fake_vertical.tasks import tally_testkit_items

        self.graphql_queries = (TestkitQueries,)
        self.graphql_mutations = (TestkitMutations,)
        self.periodic_jobs = (PeriodicJob("testkit-tally", tally_testkit_items, 60 * 60),)
        self.transition_hooks = (TransitionHookSpec(declarations.inspect_crate, subject_types=("testkit_crate",)),)
        self.event_consumers = (declarations.note_crate_event,)
        self.position_sources = (PositionSourceSpec("testkit.pledged", declarations.pledged_quantities),)
        self.onboarding_steps = (
            OnboardingStep(
                "testkit_items",
                "添加测试套件商品",
                "Add test kit items",
                "testkit:home",
                declarations.has_testkit_items,
                order=45,
            ),
        )
