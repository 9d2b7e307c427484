from core.modules import DomainAppConfig


class RulesConfig(DomainAppConfig):
    default = True
    name = "core.rules"
    label = "rules"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Rules engine"

    def ready(self) -> None:
        from core.events.pipeline import register_transition_hook
        from core.events.webhooks import register_event_consumer
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
        from core.rules.transitions import rules_transition_hook
        from core.rules.webhook_actions import register_webhook_handler

        self.graphql_queries = (RulesQueries, RuleDryRunQueries, RuleTemplateQueries, ApprovalQueries)
        self.graphql_mutations = (RulesMutations, RuleTemplateMutations, ApprovalMutations)
        register_transition_hook(rules_transition_hook)
        register_core_context_providers()
        register_document_handlers()
        register_planning_handlers()
        register_webhook_handler()
        register_lot_events()
        register_planning_events()
        register_event_consumer(evaluate_domain_event)
