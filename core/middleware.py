"""Per-request tenant context: the tenant's language by default, and the Sentry tenant tag."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation


class TenantContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tenant = getattr(request, "tenant", None)
        schema = getattr(tenant, "schema_name", "public")
        try:
            import sentry_sdk

            sentry_sdk.get_isolation_scope().set_tag("tenant", schema)
        except ImportError:  # pragma: no cover - sentry-sdk is a hard dependency
            pass
        language = self._language(request)
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)

    @staticmethod
    def _language(request: HttpRequest) -> str | None:
        # An explicit choice (cookie or ?lang=) wins; then the signed-in user's, then the tenant's.
        explicit = request.GET.get("lang") or request.COOKIES.get("django_language")
        if explicit in ("zh-hans", "en"):
            return explicit
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "language", None):
            return user.language
        tenant = getattr(request, "tenant", None)
        return getattr(tenant, "language", None)


class ApiKeyMiddleware:
    """`Authorization: Bearer <key>` on a tenant host: authenticate the key, skip CSRF (no cookies involved).

    Runs before CsrfViewMiddleware. A malformed header or an unknown/revoked key is a 401 at once; keys
    live in the tenant's schema, so tenant A's key is unknown on tenant B's host.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        header = request.headers.get("Authorization")
        request.api_key = None  # type: ignore[attr-defined]
        tenant = getattr(request, "tenant", None)
        if header is None or tenant is None or tenant.schema_name == "public":
            return self.get_response(request)
        from tenants.accounts.services import authenticate_api_key

        scheme, _, token = header.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token or " " in token:
            return _unauthorized("Malformed Authorization header: expected `Bearer <api key>`.")
        key = authenticate_api_key(token)
        if key is None:
            return _unauthorized("Invalid or revoked API key.")
        request.api_key = key  # type: ignore[attr-defined]
        request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
        return self.get_response(request)


def _unauthorized(message: str) -> HttpResponse:
    from django.http import JsonResponse

    response = JsonResponse({"errors": [{"message": message, "extensions": {"code": "NOT_AUTHENTICATED"}}]}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="api", error="invalid_token"'
    return response
