"""URLs of the public host (BASE_DOMAIN): landing, pricing, signup, billing webhooks, health."""

from django.contrib import admin
from django.urls import path

from core import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("platform-admin/", admin.site.urls),
]
