"""The view-side access check: the same rules as GraphQL (core.access), as a decorator."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from core.access import AccessDenied, ModuleNotEnabled, NotAuthenticated, check_access
from tenants.accounts.roles import Permission


def require(permission: Permission = Permission.VIEW, module: str | None = "core") -> Callable[..., Any]:
    """Guard a tenant page: signed in, role holds `permission`, module enabled (404 otherwise: no X pages)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            needed = permission if request.method in ("GET", "HEAD") else max_write(permission)
            try:
                check_access(request, needed, module)
            except NotAuthenticated:
                return redirect_to_login(request.get_full_path())
            except ModuleNotEnabled as error:
                if error.code == "MODULE_NOT_ENABLED":
                    raise Http404(str(error)) from None
                raise PermissionDenied(str(error)) from None
            except AccessDenied as error:
                raise PermissionDenied(str(error)) from None
            if must_change_password(request):
                return HttpResponseRedirect(reverse("web:password_change"))
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def must_change_password(request: HttpRequest) -> bool:
    """Signed in with a temporary password an administrator chose: no page until the user picks their own."""
    from core.web.models import PasswordChangeRequired

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(request, "api_key", None) is not None:
        return False
    return PasswordChangeRequired.objects.filter(user_id=user.pk).exists()


def max_write(permission: Permission) -> Permission:
    # A form post always writes: at least OPERATE.
    return permission if permission.writes else Permission.OPERATE
