from django.urls import path

from catalog.views import browse, detail, features

app_name = "catalog"
urlpatterns = [
    path("", browse.home, name="home"),
    path("models/", browse.variant_list, name="variant_list"),
    path("versions/", browse.version_list, name="version_list"),
    path("families/", browse.family_list, name="family_list"),
    path("families/<slug:family>/", browse.family_detail, name="family_detail"),
    path("families/<slug:family>/<slug:version>/", detail.version_detail, name="version_detail"),
    path(
        "families/<slug:family>/<slug:version>/<slug:variant>/",
        detail.variant_detail,
        name="variant_detail",
    ),
    path("compare/", browse.compare, name="compare"),
    path("features/", features.feature_list, name="feature_list"),
    path("features/<slug:slug>/", features.feature_detail, name="feature_detail"),
    path("trends/", features.trends, name="trends"),
]
