"""Tenant host URLs of the signup flow and of account recovery, included under /account/ by core.urls_tenant."""

from django.urls import path

from core.site import password_reset, tenant_views

app_name = "account"

urlpatterns = [
    path("handoff/", tenant_views.handoff, name="handoff"),
    path("verify/resend/", tenant_views.resend_verification, name="resend_verification"),
    path("verify/<str:token>/", tenant_views.verify_email, name="verify_email"),
    path("password-reset/", password_reset.PasswordResetRequestView.as_view(), name="password_reset"),
    path("password-reset/sent/", password_reset.PasswordResetSentView.as_view(), name="password_reset_sent"),
    path("password-reset/<uidb64>/<token>/", password_reset.PasswordResetChooseView.as_view(), name="password_reset_choose"),
]
