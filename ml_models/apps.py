"""The demand-model app: sales-history uploads, fine-tuning and its GraphQL (the library itself needs no Django)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.modules import DomainAppConfig, registry

if TYPE_CHECKING:
    from ml_models.specs import DemandBaseSpec


def declared_demand_specs() -> dict[str, DemandBaseSpec]:
    """Module code → its MLSpec(kind="demand") as the library's spec, in the registry's order. A module that
    declares a demand model without base data (e.g. the test kit) has no base model to train: it is left out."""
    from ml_models.specs import spec_from_declaration

    return {
        cfg.code: spec_from_declaration(cfg.code, spec.base_data, spec.profile)
        for cfg in registry.all()
        for spec in cfg.ml_specs
        if spec.kind == "demand" and spec.base_data is not None
    }


class MlModelsConfig(DomainAppConfig):
    default = True
    name = "ml_models"
    label = "ml_models"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from ml_models.specs import set_spec_provider

        # The library resolves a module code to the demand spec the module declares (core.modules.MLSpec).
        set_spec_provider(declared_demand_specs)
        from ml_models.graphql.mutations import MlModelsMutations
        from ml_models.graphql.queries import MlModelsQueries

        self.graphql_queries = (MlModelsQueries,)
        self.graphql_mutations = (MlModelsMutations,)
