"""GraphQL side of the access check: root query fields guarded by module, mutations by Meta."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

from core.access import AccessDenied, check_access
from tenants.accounts.roles import Permission

# Filled by core.graphql.schema while assembling the root types: root field name → module code.
QUERY_FIELD_MODULES: dict[str, str] = {}


def to_graphql_error(error: AccessDenied) -> GraphQLError:
    return GraphQLError(str(error), extensions={"code": error.code})


class ModuleGuardMiddleware:
    """Checks every root query field: authenticated, allowed to view, and the field's module enabled."""

    def resolve(self, next_: Any, root: Any, info: Any, **kwargs: Any) -> Any:
        if info.path.prev is None and info.operation.operation.value == "query":
            module = QUERY_FIELD_MODULES.get(info.field_name)
            if not info.field_name.startswith("__"):
                try:
                    check_access(info.context, Permission.VIEW, module)
                except AccessDenied as error:
                    raise to_graphql_error(error) from None
        return next_(root, info, **kwargs)
