"""Public host URLs of the site, included by core.urls_public."""

from django.urls import path

from core.site import views

app_name = "site"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("pricing/", views.pricing, name="pricing"),
    path("signup/", views.signup, name="signup"),
    path("signup/subdomain/", views.subdomain_check, name="subdomain_check"),
]
