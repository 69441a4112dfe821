from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from catalog.api.export import ExportView
from catalog.api.views import (
    FamilyViewSet,
    FeatureViewSet,
    OrganizationViewSet,
    VariantViewSet,
    VersionViewSet,
)
from hardware.api.views import (
    AcceleratorViewSet,
    EstimateView,
    ProfileViewSet,
    RecommendationViewSet,
    SizeTierViewSet,
)
from licenses.api.views import LicenseViewSet

router = DefaultRouter()
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("families", FamilyViewSet, basename="family")
router.register("versions", VersionViewSet, basename="version")
router.register("variants", VariantViewSet, basename="variant")
router.register("features", FeatureViewSet, basename="feature")
router.register("licenses", LicenseViewSet, basename="license")
router.register("accelerators", AcceleratorViewSet, basename="accelerator")
router.register("profiles", ProfileViewSet, basename="profile")
router.register("size-tiers", SizeTierViewSet, basename="sizetier")
router.register("recommendations", RecommendationViewSet, basename="recommendation")

urlpatterns = [
    path("v1/estimate/", EstimateView.as_view(), name="api-estimate"),
    path("v1/export/", ExportView.as_view(), name="api-export"),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "schema/swagger/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-swagger"
    ),
    path("schema/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]
