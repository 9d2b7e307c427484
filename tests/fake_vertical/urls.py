"""The test kit's page, mounted under /testkit/ by core.urls_tenant (found through the module registry)."""

from django.urls import path

from tests.fake_vertical import views

app_name = "testkit"

urlpatterns = [path("", views.home, name="home")]
