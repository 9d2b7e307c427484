"""URLs of the public host (BASE_DOMAIN): landing, pricing, signup, billing webhooks, health."""

from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from core import health
from core.web.favicon import favicon

urlpatterns = [
    path("favicon.ico", favicon, name="favicon"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("platform-admin/", admin.site.urls),
    path("billing/", include("billing.urls")),  # the Stripe webhook
    path("language/", set_language, name="set_language"),
    path("", include("core.site.urls")),  # landing, pricing, signup
]
