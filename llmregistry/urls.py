from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from assistants.http import MCPView
from assistants.views import assistants
from catalog.views.license_check import license_check
from core.site_files import favicon, robots_txt
from licenses import urls as licenses_urls
from ops.views import healthz, readyz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("robots.txt", robots_txt, name="robots_txt"),
    path("favicon.ico", favicon, name="favicon"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("llmregistry.api_urls")),
    # The MCP endpoint for AI assistants (docs/mcp.md); without the slash too, as clients are
    # configured either way and a POST cannot follow the slash redirect.
    path("mcp/", MCPView.as_view(), name="mcp"),
    path("mcp", MCPView.as_view(), name="mcp-no-slash"),
    # Single sign-on (404 unless configured); outside the language prefix, so the callback
    # address registered at the provider is one fixed URL.
    path("oidc/", include("ops.sso")),
    # The company's Atom feeds: one fixed address for feed readers, outside the language
    # prefix; the pages of the same layer are below, under /our/ (docs/adoption.md).
    path("our/", include("adoption.urls_feeds")),
]
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("assistants/", assistants, name="assistants"),
    path("", include("catalog.urls")),
    path("", include("hardware.urls")),
    path("", include("evaluations.urls")),
    # The company's own layer (internal: 404 unless signed in with its view permission).
    path("", include("adoption.urls")),
    # The licence pages, and the "may we…" checker the catalog serves for them (it picks
    # models, and the catalog sits above the licences), under one namespace; the checker
    # first, or the licence address would take "check" for a licence's slug.
    path(
        "",
        include(
            (
                [
                    path("licenses/check/", license_check, name="license_check"),
                    *licenses_urls.urlpatterns,
                ],
                licenses_urls.app_name,
            )
        ),
    ),
    prefix_default_language=False,
)

# Unknown paths under /api/ answer JSON, like the API's own 404s; the HTML page elsewhere.
handler404 = "core.api.exceptions.not_found"

admin.site.site_header = "LLM Registry"
admin.site.site_title = "LLM Registry"
