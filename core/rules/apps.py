from core.modules import DomainAppConfig


class RulesConfig(DomainAppConfig):
    default = True
    name = "core.rules"
    label = "rules"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Rules engine"

    def ready(self) -> None:
        from core.events.pipeline import register_transition_hook
        from core.rules.graphql.mutations import RulesMutations
        from core.rules.graphql.queries import RulesQueries
        from core.rules.transitions import rules_transition_hook

        self.graphql_queries = (RulesQueries,)
        self.graphql_mutations = (RulesMutations,)
        register_transition_hook(rules_transition_hook)
