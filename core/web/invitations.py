"""Invitations: instead of a temporary password, the new user gets an email with a one-time link to choose
their own password (Django's password-reset token: it stops working once used, or after
PASSWORD_RESET_TIMEOUT). The mail leaves after the user's row is committed, never from inside the transaction."""

from __future__ import annotations

from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from tenants.accounts.models import User


def invitation_link(request: HttpRequest, user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return request.build_absolute_uri(reverse("web:invitation_accept", args=[uid, token]))


def send_invitation(request: HttpRequest, user: User, invited_by: User) -> None:
    """Queue the invitation mail for after commit, in the invited user's language."""
    link = invitation_link(request, user)
    company = getattr(getattr(request, "tenant", None), "name", "")
    with translation.override(user.language):
        subject = _("You are invited to %(company)s on JXC Cloud") % {"company": company}
        body = render_to_string(
            "web/settings/invitation_email.txt", {"link": link, "company": company, "invited_by": invited_by, "user": user}
        )
    transaction.on_commit(lambda: send_mail(subject, body, None, [user.email]))
