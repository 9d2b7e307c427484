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
    path("receiving/", views.receiving_page, name="receiving"),
    path("outlets/", views.outlets, name="outlets"),
    path("outlets/<int:pk>/", views.outlet_edit, name="outlet_edit"),
    path("labour-regions/", views.labour_regions, name="labour_regions"),
    path("staff/", views.staff, name="staff"),
    path("staff/<int:pk>/", views.staff_edit, name="staff_edit"),
    path("recipes/", views.recipes, name="recipes"),
    path("recipes/edit/", views.recipe_edit, name="recipe_edit"),
]
