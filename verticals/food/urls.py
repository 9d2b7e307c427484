"""Food pages, mounted under /food/ by core.urls_tenant (found through the module registry)."""

from django.urls import path

from verticals.food import views

app_name = "food"

urlpatterns = [
    path("cold-chain/", views.cold_chain, name="cold_chain"),
    path("cold-chain/sensors/new/", views.sensor_create, name="sensor_create"),
    path("cold-chain/readings/upload/", views.readings_upload, name="readings_upload"),
    path("cold-chain/sensors/<int:pk>/", views.sensor_detail, name="sensor_detail"),
    path("deviations/", views.deviation_list, name="deviations"),
    path("deviations/<int:pk>/decide/", views.deviation_decide, name="deviation_decide"),
    path("pick/", views.fefo_pick, name="fefo_pick"),
    path("recalls/", views.recall_list, name="recalls"),
    path("recalls/complaint/", views.complaint_trace, name="complaint_trace"),
    path("recalls/<int:pk>/", views.recall_detail, name="recall_detail"),
    path("recalls/<int:pk>/report.<str:fmt>", views.recall_report, name="recall_report"),
]
