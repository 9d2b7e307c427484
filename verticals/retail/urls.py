"""Retail pages, mounted under /retail/ by core.urls_tenant (found through the module registry)."""

from django.urls import path

from verticals.retail import views

app_name = "retail"

urlpatterns = [
    path("stores/", views.store_list, name="store_list"),
    path("stores/new/", views.store_create, name="store_create"),
    path("stores/<int:pk>/edit/", views.store_edit, name="store_edit"),
    path("stores/<int:pk>/close/", views.store_deactivate, name="store_deactivate"),
    path("stores/adopt/<int:store_pk>/", views.store_adopt, name="store_adopt"),
]
