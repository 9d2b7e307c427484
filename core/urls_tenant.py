"""URLs of a tenant host (<slug>.<BASE_DOMAIN>): the web app and /graphql/."""

from django.urls import include, path

from core.graphql.view import TenantGraphQLView

urlpatterns = [
    path("graphql/", TenantGraphQLView.as_view(), name="graphql"),
    path("", include("core.web.urls")),
]
