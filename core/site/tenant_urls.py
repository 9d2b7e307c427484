"""Tenant host URLs of the signup flow, included under /account/ by core.urls_tenant."""

from django.urls import path

from core.site import tenant_views

app_name = "account"

urlpatterns = [
    path("handoff/", tenant_views.handoff, name="handoff"),
    path("verify/resend/", tenant_views.resend_verification, name="resend_verification"),
    path("verify/<str:token>/", tenant_views.verify_email, name="verify_email"),
]
