"""Manufacturing pages, mounted under /discrete_mfg/ by core.urls_tenant (found through the module registry)."""

from django.urls import path

from verticals.discrete_mfg import views

app_name = "discrete_mfg"

urlpatterns = [
    path("", views.eco_list, name="eco_list"),
    path("eco/<int:pk>/", views.eco_detail, name="eco_detail"),
    path("eco/<int:pk>/submit/", views.eco_submit, name="eco_submit"),
    path("eco/<int:pk>/release/", views.eco_release, name="eco_release"),
    path("bom/<int:item_pk>/", views.bom_tree, name="bom_tree"),
    path("mrp/", views.mrp_workbench, name="mrp"),
    path("mrp/run/", views.mrp_run, name="mrp_run"),
    path("mrp/planned/<int:pk>/", views.planned_order_action, name="planned_order_action"),
    path("work-orders/", views.work_order_list, name="work_orders"),
    path("work-orders/<int:pk>/", views.work_order_detail, name="work_order"),
    path("work-orders/<int:pk>/action/", views.work_order_action, name="work_order_action"),
    path("lead-times/", views.lead_times, name="lead_times"),
]
