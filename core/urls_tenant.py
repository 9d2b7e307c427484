"""URLs of a tenant host (<slug>.<BASE_DOMAIN>): the web app and /graphql/."""

from importlib.util import find_spec

from django.urls import include, path

from core.graphql.view import TenantGraphQLView
from core.modules import registry
from core.web.favicon import favicon

# Each sellable module's own pages under /<code>/, from its `urls` module when it has one: found through
# the registry, so the core names no vertical. The pages guard themselves with require(..., module=code).
_module_pages = [path(f"{m.code}/", include(f"{m.name}.urls")) for m in registry.sellable() if find_spec(f"{m.name}.urls")]

urlpatterns = [
    path("favicon.ico", favicon, name="favicon"),
    path("graphql/", TenantGraphQLView.as_view(), name="graphql"),
    *_module_pages,
    path("account/", include("core.site.tenant_urls")),  # signup handoff, email verification
    path("", include("core.web.urls")),
]
