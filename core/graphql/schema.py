"""The root schema, assembled from the module registry (the core never imports a vertical).

Each root query field is guarded by the permission and module its class declares (see
core.graphql.permissions; by default VIEW and the module that registers the class). Every root
mutation must be a BaseMutation, whose Meta carries its own permission and module; a plain
graphene.Mutation would skip both checks, so the schema refuses to build with one. Two modules
declaring the same root field would silently shadow each other, so that fails too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import graphene
from graphene.utils.str_converters import to_camel_case

from core.graphql.base import BaseMutation
from core.graphql.permissions import FieldGuard, attach_field_guards
from core.modules import registry
from tenants.accounts.roles import Permission

_UNSET = object()


def _claim(owners: dict[str, str], field_name: str, owner: str) -> None:
    if field_name in owners and owners[field_name] != owner:
        raise TypeError(f"Root field `{field_name}` is declared by both {owners[field_name]} and {owner}.")
    owners[field_name] = owner


def assemble_schema(entries: Iterable[tuple[str, Sequence[type], Sequence[type]]]) -> graphene.Schema:
    """A schema from (module code, query classes, mutation classes) entries, its field guards attached."""
    guards: dict[str, FieldGuard] = {}
    query_classes: list[type] = []
    mutation_classes: list[type] = []
    owners: dict[str, str] = {}
    for module_code, queries, mutations in entries:
        for query_class in queries:
            required_module: Any = getattr(query_class, "required_module", _UNSET)
            guard = FieldGuard(
                permission=getattr(query_class, "required_permission", Permission.VIEW),
                module=module_code if required_module is _UNSET else required_module,
            )
            for field_name in query_class._meta.fields:  # type: ignore[attr-defined]
                name = to_camel_case(field_name)
                _claim(owners, f"Query.{name}", query_class.__qualname__)
                guards[name] = guard
            query_classes.append(query_class)
        for mutation_class in mutations:
            for field_name, field in mutation_class._meta.fields.items():  # type: ignore[attr-defined]
                field_type = field.type
                if not (isinstance(field_type, type) and issubclass(field_type, BaseMutation)):
                    raise TypeError(f"{mutation_class.__qualname__}.{field_name} must be a BaseMutation (it checks access).")
                _claim(owners, f"Mutation.{to_camel_case(field_name)}", mutation_class.__qualname__)
            mutation_classes.append(mutation_class)
    query = type("Query", tuple(query_classes) or (graphene.ObjectType,), {})
    mutation = type("Mutation", tuple(mutation_classes), {}) if mutation_classes else None
    schema = graphene.Schema(query=query, mutation=mutation, auto_camelcase=True)
    attach_field_guards(schema.graphql_schema, guards)
    return schema


def build_schema() -> graphene.Schema:
    return assemble_schema(registry.graphql_classes())


schema = build_schema()
