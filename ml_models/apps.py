"""The demand-model app: sales-history uploads, fine-tuning and its GraphQL (the library itself needs no Django)."""

from core.modules import DomainAppConfig


class MlModelsConfig(DomainAppConfig):
    default = True
    name = "ml_models"
    label = "ml_models"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core.jobs import register_reaper
        from ml_models.graphql.mutations import MlModelsMutations
        from ml_models.graphql.queries import MlModelsQueries
        from ml_models.services import reap_stuck_fine_tunes

        self.graphql_queries = (MlModelsQueries,)
        self.graphql_mutations = (MlModelsMutations,)
        register_reaper("ml_models.fine_tune", reap_stuck_fine_tunes)
