"""The root schema, assembled from the module registry (the core never imports a vertical)."""

from __future__ import annotations

import graphene
from graphene.utils.str_converters import to_camel_case

from core.graphql.permissions import QUERY_FIELD_MODULES
from core.modules import registry


def build_schema() -> graphene.Schema:
    query_classes: list[type] = []
    mutation_classes: list[type] = []
    for module_code, queries, mutations in registry.graphql_classes():
        for query_class in queries:
            for field_name in query_class._meta.fields:  # type: ignore[attr-defined]
                QUERY_FIELD_MODULES[to_camel_case(field_name)] = module_code
            query_classes.append(query_class)
        mutation_classes.extend(mutations)
    query = type("Query", tuple(query_classes) or (graphene.ObjectType,), {})
    mutation = type("Mutation", tuple(mutation_classes), {}) if mutation_classes else None
    return graphene.Schema(query=query, mutation=mutation, auto_camelcase=True)


schema = build_schema()
