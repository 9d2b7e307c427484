from django.contrib.auth import views as auth_views
from django.urls import path

from core.web import views
from core.web.views import counts, imports, items, purchasing, rules, sales, stock, timeline, training, transfers

app_name = "web"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="/login/"), name="logout"),
    path("language/", views.set_language, name="set_language"),
    path("items/", items.item_list, name="item_list"),
    path("items/new/", items.item_create, name="item_create"),
    path("items/export.csv", items.item_export, name="item_export"),
    path("items/<int:pk>/", items.item_detail, name="item_detail"),
    path("stock/", stock.stock_levels, name="stock_levels"),
    path("purchase-orders/", purchasing.po_list, name="po_list"),
    path("purchase-orders/new/", purchasing.po_create, name="po_create"),
    path("purchase-orders/<int:pk>/", purchasing.po_detail, name="po_detail"),
    path("purchase-orders/<int:pk>/receive/", purchasing.po_receive, name="po_receive"),
    path("purchase-orders/<int:pk>/<slug:action>/", purchasing.po_action, name="po_action"),
    path("sales-orders/", sales.so_list, name="so_list"),
    path("sales-orders/new/", sales.so_create, name="so_create"),
    path("sales-orders/<int:pk>/", sales.so_detail, name="so_detail"),
    path("sales-orders/<int:pk>/<slug:action>/", sales.so_action, name="so_action"),
    path("transfers/", transfers.transfer_list, name="transfer_list"),
    path("transfers/new/", transfers.transfer_create, name="transfer_create"),
    path("transfers/<int:pk>/", transfers.transfer_detail, name="transfer_detail"),
    path("transfers/<int:pk>/ship/", transfers.transfer_ship, name="transfer_ship"),
    path("transfers/<int:pk>/receive/", transfers.transfer_receive, name="transfer_receive"),
    path("transfers/<int:pk>/<slug:action>/", transfers.transfer_action, name="transfer_action"),
    path("counts/", counts.count_list, name="count_list"),
    path("counts/new/", counts.count_create, name="count_create"),
    path("counts/<int:pk>/", counts.count_detail, name="count_detail"),
    path("counts/<int:pk>/record/", counts.count_record, name="count_record"),
    path("counts/<int:pk>/<slug:action>/", counts.count_action, name="count_action"),
    path("timeline/<slug:subject_type>/<int:pk>/", timeline.timeline, name="timeline"),
    path("imports/", imports.import_upload, name="import_upload"),
    path("imports/<int:pk>/", imports.import_detail, name="import_detail"),
    path("rules/", rules.rule_list, name="rule_list"),
    path("rules/new/", rules.rule_create, name="rule_create"),
    path("rules/<int:pk>/", rules.rule_detail, name="rule_detail"),
    path("rules/<int:pk>/edit/", rules.rule_edit, name="rule_edit"),
    path("rules/<int:pk>/active/", rules.rule_toggle, name="rule_toggle"),
    path("rules/<int:pk>/rollback/<int:number>/", rules.rule_rollback, name="rule_rollback"),
    path("training/", training.training_upload, name="training_upload"),
    path("training/<int:pk>/", training.training_detail, name="training_detail"),
    path("training/<int:pk>/progress.json", training.training_progress, name="training_progress"),
    path("training/<int:pk>/fine-tune/", training.training_fine_tune, name="training_fine_tune"),
]
