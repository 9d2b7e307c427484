"""Password reset by email on a tenant host: a single-use link that expires after RESET_LINK_TTL.

Django's reset token already changes once the password (or last login) changes, so a used link is dead;
this generator adds a shorter lifetime than invitations get (PASSWORD_RESET_TIMEOUT) and its own salt, so
an invitation token can never be replayed as a reset token or the other way round.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.http import HttpResponse
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import base36_to_int
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

RESET_LINK_TTL = timedelta(hours=2)


class ResetLinkTokens(PasswordResetTokenGenerator):
    key_salt = "core.site.password-reset"

    def check_token(self, user: AbstractBaseUser | None, token: str | None) -> bool:
        if not super().check_token(user, token) or token is None:  # type: ignore[arg-type]  # stubs: User only
            return False
        try:
            issued = base36_to_int(token.split("-")[0])
        except ValueError:
            return False
        return self._num_seconds(self._now()) - issued <= RESET_LINK_TTL.total_seconds()


reset_link_tokens = ResetLinkTokens()


class PasswordResetRequestView(auth_views.PasswordResetView):
    """ "Forgot your password?": the same answer whether or not the email has an account here."""

    template_name = "site/password_reset_request.html"
    email_template_name = "site/emails/password_reset_body.txt"
    subject_template_name = "site/emails/password_reset_subject.txt"
    success_url = reverse_lazy("account:password_reset_sent")
    token_generator = reset_link_tokens

    def form_valid(self, form: Any) -> HttpResponse:
        tenant = getattr(self.request, "tenant", None)
        self.extra_email_context = {"company": getattr(tenant, "name", ""), "valid_hours": RESET_LINK_TTL // timedelta(hours=1)}
        return super().form_valid(form)


class PasswordResetSentView(auth_views.PasswordResetDoneView):
    template_name = "site/password_reset_sent.html"


@method_decorator(never_cache, name="dispatch")
class PasswordResetChooseView(auth_views.PasswordResetConfirmView):
    """The link from the mail: Django moves the token into the session and redirects, so the page with the
    form has no token in its URL (nothing to leak through a Referer); sets the password and signs in."""

    template_name = "site/password_reset_choose.html"
    token_generator = reset_link_tokens
    post_reset_login = True
    success_url = reverse_lazy("web:dashboard")

    def get_user(self, uidb64: str) -> Any:
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("Your new password is set and you are signed in."))
        return response
