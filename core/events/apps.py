from core.modules import DomainAppConfig


class EventsConfig(DomainAppConfig):
    default = True
    name = "core.events"
    label = "events"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Events, timeline and webhooks"

    def ready(self) -> None:
        from core.events.graphql.mutations import EventsMutations
        from core.events.graphql.queries import EventsQueries, WebhookQueries

        self.graphql_queries = (EventsQueries, WebhookQueries)
        self.graphql_mutations = (EventsMutations,)
