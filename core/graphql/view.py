"""The tenant's /graphql/ endpoint: auth required, limits enforced, internal errors masked.

Order of the checks: an oversized document (413) before anything is read or parsed; then who is acting
(401, JSON, never a login redirect); then CSRF, for session users only (an API key is sent by a program,
not a browser, so there is no forged request to guard against); then the rate limits per key (or user)
and per tenant (429 with Retry-After); then a lexical pre-pass on tokens, nesting and fields
(core/graphql/cost.py); then graphene-django parses, refuses a mutation over GET (405) and validates
against our limit rules on a clock. Every SQL statement of the request runs under `statement_timeout`.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import OperationalError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.views.decorators.csrf import csrf_exempt
from graphene_django.views import GraphQLView, HttpError
from graphql import ExecutionResult, GraphQLError, specified_rules

from core import ratelimit
from core.access import AccessDenied, Actor, actor_from_request
from core.graphql.cost import ValidationTimeout, prepass, validation_budget_rule
from core.graphql.errors import DomainError
from core.graphql.inputs import InputGuardMiddleware
from core.graphql.limits import NoIntrospection, build_limit_rules
from core.graphql.permissions import ModuleGuardMiddleware
from core.graphql.upload import MultipartError, document_size, is_multipart, max_file_bytes, multipart_operations

logger = logging.getLogger(__name__)

GENERIC_MESSAGE = "Internal server error. The error has been logged."
_HTTP_CODES = {400: "BAD_REQUEST", 405: "METHOD_NOT_ALLOWED"}


def json_error(message: str, code: str, status: int) -> JsonResponse:
    return JsonResponse({"errors": [{"message": message, "extensions": {"code": code}}]}, status=status)


class TenantGraphQLView(GraphQLView):
    graphiql = False

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("middleware", [InputGuardMiddleware(), ModuleGuardMiddleware()])
        super().__init__(**kwargs)

    @classmethod
    def as_view(cls, **initkwargs: Any) -> Any:
        # CSRF is enforced in dispatch, and only for session users, so that a program without a
        # valid key gets a JSON 401 rather than Django's HTML CSRF page.
        return csrf_exempt(super().as_view(**initkwargs))

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        limit = settings.GRAPHQL_MAX_DOCUMENT_BYTES
        if is_multipart(request):
            # The document limit is for the document; the files carry their own (graphql/upload.py).
            if _declared_length(request) > limit + max_file_bytes() + 64 * 1024:
                return json_error("The uploaded file is too large.", "PAYLOAD_TOO_LARGE", 413)
            if document_size(request) > limit:
                return json_error(f"The GraphQL document is larger than {limit} bytes.", "PAYLOAD_TOO_LARGE", 413)
        elif _declared_length(request) > limit or len(request.GET.get("query", "")) > limit or len(request.body or b"") > limit:
            return json_error(f"The GraphQL document is larger than {limit} bytes.", "PAYLOAD_TOO_LARGE", 413)
        actor = actor_from_request(request)
        if not actor.is_authenticated:
            response = json_error(
                "Authentication required: sign in, or send `Authorization: Bearer <api key>`.", "NOT_AUTHENTICATED", 401
            )
            response["WWW-Authenticate"] = 'Bearer realm="graphql"'
            return response
        if actor.api_key is None and CsrfViewMiddleware(_no_response).process_view(request, _no_response, (), {}) is not None:
            return json_error(
                "CSRF check failed: send the `csrftoken` cookie's value in the X-CSRFToken header.", "CSRF_FAILED", 403
            )
        retry_after = _rate_limited(request, actor)
        if retry_after is not None:
            response = json_error(f"Too many requests: retry in {retry_after} s.", "RATE_LIMITED", 429)
            response["Retry-After"] = str(retry_after)
            return response
        with _statement_timeout(settings.GRAPHQL_STATEMENT_TIMEOUT_MS):
            return super().dispatch(request, *args, **kwargs)

    def parse_body(self, request: HttpRequest) -> Any:
        if is_multipart(request):
            try:
                return multipart_operations(request)
            except MultipartError as error:
                raise HttpError(HttpResponseBadRequest(str(error))) from None
        return super().parse_body(request)

    def execute_graphql_request(
        self,
        request: HttpRequest,
        data: Any,
        query: str | None,
        variables: Any,
        operation_name: str | None,
        show_graphiql: bool = False,
    ) -> Any:
        # The rules are built per request: complexity reads the page sizes the variables ask for, and
        # the introspection switch is read at request time.
        # graphql-core's validate() takes `rules` as a replacement, not an addition: keep the standard
        # rules (types, unknown fields, fragment cycles) first, or none of them would run.
        rules: list[Any] = [
            *specified_rules,
            *build_limit_rules(
                settings.GRAPHQL_MAX_DEPTH,
                settings.GRAPHQL_MAX_ALIASES,
                settings.GRAPHQL_MAX_COMPLEXITY,
                variables if isinstance(variables, dict) else {},
            ),
        ]
        if not settings.GRAPHQL_INTROSPECTION:
            rules.append(NoIntrospection)
        if query:
            refusal = prepass(
                query,
                max_tokens=settings.GRAPHQL_MAX_TOKENS,
                max_nesting=settings.GRAPHQL_MAX_NESTING,
                max_fields=settings.GRAPHQL_MAX_FIELDS,
            )
            if refusal is not None:
                return ExecutionResult(data=None, errors=[refusal])
        rules.insert(0, validation_budget_rule(settings.GRAPHQL_VALIDATION_SECONDS))
        self.validation_rules = rules
        try:
            return super().execute_graphql_request(request, data, query, variables, operation_name, show_graphiql)
        except ValidationTimeout:
            message = f"Validating the query took longer than {settings.GRAPHQL_VALIDATION_SECONDS} s; simplify it."
            return ExecutionResult(data=None, errors=[GraphQLError(message, extensions={"code": "QUERY_TOO_COMPLEX"})])

    @staticmethod
    def format_error(error: Any) -> dict[str, Any]:
        if isinstance(error, HttpError):
            # graphene-django's own refusals (405 mutation over GET, 400 bad JSON): written for the client.
            status = error.response.status_code
            message = error.message or error.response.content.decode(errors="replace")
            return {"message": message, "extensions": {"code": _HTTP_CODES.get(status, "BAD_REQUEST")}}
        if isinstance(error, GraphQLError):
            original = error.original_error
            if original is None or isinstance(original, GraphQLError):
                formatted: dict[str, Any] = dict(error.formatted)  # syntax, validation, limits, access: written for the client
                if error.path is None and not (formatted.get("extensions") or {}).get("code"):
                    # Syntax, validation and variable coercion (a bad JSONString, a bad date): typed too.
                    formatted["extensions"] = {**(formatted.get("extensions") or {}), "code": "INVALID_INPUT"}
                return formatted
            if isinstance(original, DomainError):
                extensions = {"code": original.code, **({"field": original.field} if original.field else {})}
                return {**error.formatted, "extensions": extensions}
            if isinstance(original, AccessDenied):
                return {**error.formatted, "extensions": {"code": original.code}}
            if error.path is None and isinstance(original, ValueError | TypeError):
                # A variable's value the scalar could not read (bad JSONString, bad date): the client's input.
                return {"message": error.message, "extensions": {"code": "INVALID_INPUT"}}
            if _is_statement_timeout(original):
                message = "The query took too long and was cancelled; ask for fewer rows."
                return {"message": message, "path": error.path, "extensions": {"code": "QUERY_TIMEOUT"}}
            # An exception inside a resolver: log it (Sentry picks it up), tell the client nothing.
            logger.error("GraphQL resolver error", exc_info=original)
            return {"message": GENERIC_MESSAGE, "path": error.path, "extensions": {"code": "INTERNAL_ERROR"}}
        logger.error("GraphQL error", exc_info=error)
        return {"message": GENERIC_MESSAGE, "extensions": {"code": "INTERNAL_ERROR"}}


def _rate_limited(request: HttpRequest, actor: Actor) -> int | None:
    """Seconds to wait when the caller's key (or user) or its tenant is over its rate; None when allowed."""
    who = f"key:{actor.api_key.pk}" if actor.api_key is not None else f"user:{actor.user.pk if actor.user else 0}"
    schema = getattr(getattr(request, "tenant", None), "schema_name", "public")
    return ratelimit.hit(settings.GRAPHQL_RATE_PER_KEY, "graphql", schema, who) or ratelimit.hit(
        settings.GRAPHQL_RATE_PER_TENANT, "graphql", schema
    )


class _statement_timeout:  # a context manager, named as it reads
    """`SET statement_timeout` for the request, put back afterwards (connections are reused across requests)."""

    def __init__(self, milliseconds: int) -> None:
        self.milliseconds = milliseconds

    def __enter__(self) -> None:
        with connection.cursor() as cursor:
            # One round trip: the old value is read before the new one is set (left to right).
            cursor.execute(
                "SELECT current_setting('statement_timeout'), set_config('statement_timeout', %s, false)",
                [f"{self.milliseconds}ms"],
            )
            self.previous = cursor.fetchone()[0]

    def __exit__(self, *exc: object) -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('statement_timeout', %s, false)", [self.previous])
        except Exception:  # a broken connection is discarded by Django anyway; never mask the response
            logger.warning("could not restore statement_timeout", exc_info=True)


def _is_statement_timeout(error: BaseException) -> bool:
    cause = error.__cause__ if isinstance(error, OperationalError) else error
    return type(cause).__name__ == "QueryCanceled" or "statement timeout" in str(error)


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _no_response(request: HttpRequest) -> HttpResponse:  # CsrfViewMiddleware needs a get_response and a view
    raise AssertionError("not called")
