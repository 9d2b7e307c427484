"""Users & roles and API keys (owners and admins): thin views over tenants.accounts services.

A generated temporary password and a new key's secret are rendered once, in the response to the POST that
made them, and never stored in clear or put in the session; those responses are marked no-store."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.web.admin_forms import (
    ROLE_LABELS,
    SCOPE_LABELS,
    ApiKeyForm,
    RoleForm,
    UserCreateForm,
    add_service_errors,
    module_label,
)
from core.web.decorators import require
from core.web.invitations import send_invitation
from core.web.models import PasswordChangeRequired
from core.web.views.common import change_and_redirect
from tenants.accounts import selectors, services
from tenants.accounts.models import ApiKey, User
from tenants.accounts.roles import Permission, Role, can_assign_role

# Administration pages work whatever the state of the subscription: a lapsed company must still be able
# to manage who signs in.
admin_page = require(Permission.ADMINISTER, module=None)


def _user(pk: int) -> User:
    user = selectors.user_by_id(pk)
    if user is None:
        raise Http404("No such user.")
    return user


def _users_page(request: HttpRequest, form: UserCreateForm | None = None, **extra: Any) -> HttpResponse:
    acting: User = request.user  # type: ignore[assignment]
    rows = [
        {
            "user": user,
            "role_label": ROLE_LABELS.get(user.role, user.role),
            "editable": user.pk != acting.pk and can_assign_role(acting.role, user.role),
        }
        for user in selectors.user_list()
    ]
    assignable = [(value, label) for value, label in ROLE_LABELS.items() if can_assign_role(acting.role, value)]
    context = {
        "rows": rows,
        "form": form or UserCreateForm(initial={"role": Role.VIEWER.value}),
        "assignable": assignable,
        **extra,
    }
    response = render(request, "web/settings/users.html", context, status=400 if form is not None and form.errors else 200)
    if "temporary_password" in extra:
        add_never_cache_headers(response)
    return response


@admin_page
def user_list(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _users_page(request)
    form = UserCreateForm(request.POST)
    if not form.is_valid():
        return _users_page(request, form)
    invite = form.cleaned_data["invite"]
    password = form.cleaned_data["password"] or services.starting_password(invited=invite)
    try:
        user = services.create_user(
            form.cleaned_data["email"],
            password,
            form.cleaned_data["role"],
            form.cleaned_data["full_name"],
            actor=request.user,  # type: ignore[arg-type]
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return _users_page(request, form)
    if invite:
        send_invitation(request, user, invited_by=request.user)  # type: ignore[arg-type]
        messages.success(request, _("Invitation sent to %(email)s.") % {"email": user.email})
        return _users_page(request, None)
    # Someone else chose this password: the user picks their own at the first sign-in.
    PasswordChangeRequired.objects.get_or_create(user=user)
    messages.success(request, _("%(email)s can now sign in.") % {"email": user.email})
    shown = {"temporary_password": password, "new_user": user} if not form.cleaned_data["password"] else {}
    return _users_page(request, None, **shown)


def _account_change(request: HttpRequest, call: Any, success: str) -> HttpResponse:
    return change_and_redirect(request, call, success, reverse("web:user_list"))


@require_POST
@admin_page
def user_role(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the roles."))
        return HttpResponseRedirect(reverse("web:user_list"))
    role = form.cleaned_data["role"]
    return _account_change(
        request,
        lambda: services.change_role(request.user, user, role),  # type: ignore[arg-type]
        _("%(email)s is now %(role)s.") % {"email": user.email, "role": ROLE_LABELS[role]},
    )


@require_POST
@admin_page
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(pk)
    return _account_change(
        request,
        lambda: services.deactivate_user(request.user, user),  # type: ignore[arg-type]
        _("%(email)s can no longer sign in.") % {"email": user.email},
    )


# --- API keys ------------------------------------------------------------------------------------


def _keys_page(request: HttpRequest, form: ApiKeyForm | None = None, **extra: Any) -> HttpResponse:
    keys = selectors.api_key_list().select_related("created_by")
    rows = [
        {
            "key": key,
            "scope_label": SCOPE_LABELS.get(key.scope, key.scope),
            "modules": [module_label(code) for code in key.modules],
        }
        for key in keys
    ]
    context = {"rows": rows, "form": form or ApiKeyForm(), **extra}
    response = render(request, "web/settings/api_keys.html", context, status=400 if form is not None and form.errors else 200)
    if "secret" in extra:
        add_never_cache_headers(response)
    return response


@admin_page
def api_key_list(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _keys_page(request)
    form = ApiKeyForm(request.POST)
    if not form.is_valid():
        return _keys_page(request, form)
    try:
        key, secret = services.create_api_key(
            request.user,  # type: ignore[arg-type]
            form.cleaned_data["name"],
            form.cleaned_data["scope"],
            form.cleaned_data["modules"],
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return _keys_page(request, form)
    messages.success(request, _("Key “%(name)s” created. Copy the secret now: it is not shown again.") % {"name": key.name})
    return _keys_page(request, None, secret=secret, new_key=key)


@require_POST
@admin_page
def api_key_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    key = ApiKey.objects.filter(pk=pk).first()
    if key is None:
        raise Http404("No such key.")
    return change_and_redirect(
        request,
        lambda: services.revoke_api_key(request.user, key),  # type: ignore[arg-type]
        _("Key “%(name)s” revoked: it no longer works.") % {"name": key.name},
        reverse("web:api_key_list"),
    )


@method_decorator(login_required, name="dispatch")
class TemporaryPasswordChangeView(auth_views.PasswordChangeView):
    """Choose your own password (forced after signing in with a temporary one; open to anyone signed in)."""

    template_name = "web/settings/password_change.html"
    success_url = reverse_lazy("web:dashboard")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        forced = PasswordChangeRequired.objects.filter(user_id=int(self.request.user.pk or 0)).exists()
        return {**super().get_context_data(**kwargs), "forced": forced}

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        PasswordChangeRequired.objects.filter(user_id=int(self.request.user.pk or 0)).delete()
        messages.success(self.request, _("Your password is changed."))
        return response


class InvitationAcceptView(auth_views.PasswordResetConfirmView):
    """The invitation link: choose a password, then land signed in. A deactivated user's link is dead."""

    template_name = "web/settings/invitation_accept.html"
    post_reset_login = True
    success_url = "/"

    def get_user(self, uidb64: str) -> User | None:
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None
