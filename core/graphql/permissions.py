"""GraphQL side of the access check: root query fields guarded here, mutations by BaseMutation.Meta.

A query class declares its guard as class attributes, read by core.graphql.schema:

    class AccountQueries(graphene.ObjectType):
        required_permission = Permission.ADMINISTER   # default Permission.VIEW
        required_module = "core"                      # default: the module that registers the class;
                                                      # None for platform fields (me, tenant, modules)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import GraphQLError, GraphQLSchema, OperationType

from core.access import AccessDenied, check_access
from tenants.accounts.roles import Permission


@dataclass(frozen=True)
class FieldGuard:
    permission: Permission = Permission.VIEW
    module: str | None = None


_DEFAULT_GUARD = FieldGuard()
_GUARDS_KEY = "jxc_query_field_guards"


def attach_field_guards(schema: GraphQLSchema, guards: dict[str, FieldGuard]) -> None:
    """Store root query field name → guard on the schema itself (core.graphql.schema fills it)."""
    schema.extensions[_GUARDS_KEY] = dict(guards)


def field_guard(schema: GraphQLSchema, field_name: str) -> FieldGuard:
    return schema.extensions.get(_GUARDS_KEY, {}).get(field_name, _DEFAULT_GUARD)


def to_graphql_error(error: AccessDenied) -> GraphQLError:
    return GraphQLError(str(error), extensions={"code": error.code})


class ModuleGuardMiddleware:
    """Checks every root query field: authenticated, the role (or key) holds the field's permission, the
    field's module is enabled for the tenant and within the API key's module scope. Nested fields are
    reached only through a root field, so they inherit its check."""

    def resolve(self, next_: Any, root: Any, info: Any, **kwargs: Any) -> Any:
        if info.path.prev is None and info.operation.operation is OperationType.QUERY and not info.field_name.startswith("__"):
            guard = field_guard(info.schema, info.field_name)
            try:
                check_access(info.context, guard.permission, guard.module)
            except AccessDenied as error:
                raise to_graphql_error(error) from None
        return next_(root, info, **kwargs)
