"""Restaurant pages, mounted under /restaurant/ by core.urls_tenant (found through the module registry)."""

from django.urls import path

from verticals.restaurant import views

app_name = "restaurant"

urlpatterns = [
    path("menu/", views.menu, name="menu"),
    path("pos/<str:outlet_code>/ticket-lines/", views.pos_ingest, name="pos_ingest"),
    path("pos/import/", views.pos_import, name="pos_import"),
    path("pos/review/", views.review_queue, name="review_queue"),
    path("pos/review/<int:pk>/resolve/", views.review_resolve, name="review_resolve"),
    path("waste/", views.waste_entry, name="waste_entry"),
    path("prep/", views.prep_list, name="prep_list"),
    path("schedule/", views.schedule, name="schedule"),
]
