from django.urls import path

from catalog.views import (
    browse,
    compare,
    families,
    features,
    trends,
    variant,
    version,
    whats_new,
)

app_name = "catalog"
urlpatterns = [
    path("", browse.home, name="home"),
    path("models/", browse.variant_list, name="variant_list"),
    path("versions/", browse.version_list, name="version_list"),
    path("families/", families.family_list, name="family_list"),
    path("families/<slug:family>/", families.family_detail, name="family_detail"),
    path("families/<slug:family>/<slug:version>/", version.version_detail, name="version_detail"),
    path(
        "families/<slug:family>/<slug:version>/<slug:variant>/",
        variant.variant_detail,
        name="variant_detail",
    ),
    path("compare/", compare.compare, name="compare"),
    path("features/", features.feature_list, name="feature_list"),
    path("features/<slug:slug>/", features.feature_detail, name="feature_detail"),
    path("trends/", trends.trends, name="trends"),
    path("whats-new/", whats_new.whats_new, name="whats_new"),
]
