"""Partners: suppliers and customers."""

from core.modules import DomainAppConfig


class PartnersConfig(DomainAppConfig):
    default = True
    name = "core.partners"
    label = "partners"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Partners"

    def ready(self) -> None:
        from core.partners.graphql.mutations import PartnerMutations
        from core.partners.graphql.queries import PartnerQueries

        self.graphql_queries = (PartnerQueries,)
        self.graphql_mutations = (PartnerMutations,)
