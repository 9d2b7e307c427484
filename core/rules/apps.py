from core.modules import DomainAppConfig, PeriodicJob, TransitionHookSpec, modules_enabled

MINUTE = 60.0
DAY = 24 * 60 * 60


class RulesConfig(DomainAppConfig):
    default = True
    name = "core.rules"
    label = "rules"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Rules engine"

    def ready(self) -> None:
        from core.rules.contexts import register_core_context_providers
        from core.rules.document_actions import register_document_handlers
        from core.rules.events import evaluate_domain_event
        from core.rules.graphql.approvals import ApprovalMutations, ApprovalQueries
        from core.rules.graphql.dryrun import RuleDryRunQueries
        from core.rules.graphql.mutations import RulesMutations
        from core.rules.graphql.queries import RulesQueries
        from core.rules.graphql.templates import RuleTemplateMutations, RuleTemplateQueries
        from core.rules.lots import register_lot_events
        from core.rules.planning_actions import register_planning_handlers
        from core.rules.planning_events import register_planning_events
        from core.rules.tasks import record_near_expiry_lots, run_scheduled_rules
        from core.rules.transitions import rules_transition_hook
        from core.rules.webhook_actions import register_webhook_handler

        self.graphql_queries = (RulesQueries, RuleDryRunQueries, RuleTemplateQueries, ApprovalQueries)
        self.graphql_mutations = (RulesMutations, RuleTemplateMutations, ApprovalMutations)
        self.transition_hooks = (TransitionHookSpec(rules_transition_hook),)
        self.event_consumers = (evaluate_domain_event,)
        self.periodic_jobs = (
            # Scheduled (cron:) rules; idempotent per rule version and slot (core/rules/schedules.py).
            PeriodicJob("rules-scheduled", run_scheduled_rules, MINUTE),
            # lot.near_expiry events for the rules engine (core/rules/lots.py); once per lot and day.
            PeriodicJob("rules-near-expiry-lots", record_near_expiry_lots, DAY),
        )
        from core.rules.packs import load_packs_of_enabled_modules

        # A module switched on (signup, trial, Stripe) gets its rule pack; billing sends, never imports this.
        modules_enabled.connect(load_packs_of_enabled_modules, dispatch_uid="core.rules.load_packs_of_enabled_modules")

        register_core_context_providers()
        register_document_handlers()
        register_planning_handlers()
        register_webhook_handler()
        register_lot_events()
        register_planning_events()
