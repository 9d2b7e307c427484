from core.modules import DomainAppConfig, PeriodicJob

DAY = 24 * 60 * 60


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

        from core.events.tasks import process_outbox, purge_outbox

        # Drain each tenant's event outbox and send due webhook retries (core/events/tasks.py).
        self.periodic_jobs = (
            PeriodicJob("events-process-outbox", process_outbox, 60.0),
            PeriodicJob("events-purge-outbox", purge_outbox, DAY),
        )
