from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from llmregistry.views import healthz, readyz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("llmregistry.api.urls")),
    # Single sign-on (404 unless configured); outside the language prefix, so the callback
    # address registered at the provider is one fixed URL.
    path("oidc/", include("llmregistry.sso")),
]
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("", include("catalog.urls")),
    path("", include("hardware.urls")),
    path("", include("licenses.urls")),
    prefix_default_language=False,
)

admin.site.site_header = "LLM Registry"
admin.site.site_title = "LLM Registry"
