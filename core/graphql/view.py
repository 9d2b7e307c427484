"""The tenant's /graphql/ endpoint: auth required, limits enforced, internal errors masked."""

from __future__ import annotations

import json
import logging
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from graphene.validation import DisableIntrospection
from graphene_django.views import GraphQLView
from graphql import GraphQLError

from core.access import actor_from_request
from core.graphql.limits import build_limit_rules
from core.graphql.permissions import ModuleGuardMiddleware

logger = logging.getLogger(__name__)

# Errors whose message is written for the client; anything else is masked.
_SAFE_CODES = {
    "NOT_AUTHENTICATED",
    "PERMISSION_DENIED",
    "MODULE_NOT_ENABLED",
    "MODULE_READ_ONLY",
    "QUERY_TOO_DEEP",
    "QUERY_TOO_COMPLEX",
    "BAD_REQUEST",
}
GENERIC_MESSAGE = "Internal server error. The error has been logged."


def json_error(message: str, code: str, status: int) -> JsonResponse:
    return JsonResponse({"errors": [{"message": message, "extensions": {"code": code}}]}, status=status)


class TenantGraphQLView(GraphQLView):
    graphiql = False

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("middleware", [ModuleGuardMiddleware()])
        super().__init__(**kwargs)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if (
            len(request.body or b"") > settings.GRAPHQL_MAX_DOCUMENT_BYTES
            or len(request.GET.get("query", "")) > settings.GRAPHQL_MAX_DOCUMENT_BYTES
        ):
            return json_error(
                f"The GraphQL document is larger than {settings.GRAPHQL_MAX_DOCUMENT_BYTES} bytes.", "BAD_REQUEST", 413
            )
        if not actor_from_request(request).is_authenticated:
            return json_error("Sign in or send `Authorization: Bearer <api key>`.", "NOT_AUTHENTICATED", 401)
        self.validation_rules = self._rules(request)
        return super().dispatch(request, *args, **kwargs)

    def _rules(self, request: HttpRequest) -> list[Any]:
        variables: dict[str, Any] = {}
        try:
            if request.method == "POST" and request.content_type == "application/json":
                body = json.loads(request.body or b"{}")
                variables = (body.get("variables") or {}) if isinstance(body, dict) else {}
        except (ValueError, AttributeError):
            variables = {}
        rules: list[Any] = build_limit_rules(
            settings.GRAPHQL_MAX_DEPTH,
            settings.GRAPHQL_MAX_ALIASES,
            settings.GRAPHQL_MAX_COMPLEXITY,
            variables if isinstance(variables, dict) else {},
        )
        if not settings.GRAPHQL_INTROSPECTION:
            rules.append(DisableIntrospection)
        return rules

    @staticmethod
    def format_error(error: Any) -> dict[str, Any]:
        if isinstance(error, GraphQLError):
            original = error.original_error
            code = (error.extensions or {}).get("code")
            if original is None or code in _SAFE_CODES:
                return error.formatted
            # An exception inside a resolver: log it (Sentry picks it up), tell the client nothing.
            logger.error("GraphQL resolver error", exc_info=original)
            return {"message": GENERIC_MESSAGE, "path": error.path, "extensions": {"code": "INTERNAL_ERROR"}}
        logger.error("GraphQL error", exc_info=error)
        return {"message": GENERIC_MESSAGE, "extensions": {"code": "INTERNAL_ERROR"}}
