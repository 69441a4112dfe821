from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import include, path
from django.utils.cache import patch_cache_control
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import APIRootView, DefaultRouter

from adoption.api.views import (
    ApprovalViewSet,
    ArtifactViewSet,
    DeploymentViewSet,
    RecipeView,
    UseCaseViewSet,
)
from adoption.selectors import can_see_adoption
from catalog.api.licenses import LicenseViewSet
from catalog.api.views import (
    FamilyViewSet,
    FeatureViewSet,
    OrganizationViewSet,
    VariantViewSet,
    VersionViewSet,
)
from core.api.views import SwaggerView
from curation.api import ExportView
from evaluations.api.views import BenchmarkViewSet, BestFitView, ResultViewSet
from hardware.api.views import (
    AcceleratorViewSet,
    EstimateView,
    ProfileViewSet,
    RecommendationViewSet,
    SizeTierViewSet,
)


class RegistryAPIRootView(APIRootView):
    """The API's index. The company's own resources are listed only to those who may read
    them (and never stored in the shared cache); to anyone else they do not exist."""

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if can_see_adoption(request.user):
            patch_cache_control(response, private=True, no_cache=True)
        else:
            for name in INTERNAL_PREFIXES:
                response.data.pop(name, None)
        return response


# The router prefixes of the company's own layer (adoption/api/views.py).
INTERNAL_PREFIXES = ("use-cases", "approvals", "deployments", "artifacts")

router = DefaultRouter()
router.APIRootView = RegistryAPIRootView
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
router.register("benchmarks", BenchmarkViewSet, basename="benchmark")
router.register("evaluations", ResultViewSet, basename="evaluation")
# The company's own layer: signed-in staff of the adoption roles only (adoption/api/views.py).
router.register("use-cases", UseCaseViewSet, basename="usecase")
router.register("approvals", ApprovalViewSet, basename="approval")
router.register("deployments", DeploymentViewSet, basename="deployment")
router.register("artifacts", ArtifactViewSet, basename="artifact")

urlpatterns = [
    path("v1/estimate/", EstimateView.as_view(), name="api-estimate"),
    path("v1/export/", ExportView.as_view(), name="api-export"),
    path("v1/best-fit/", BestFitView.as_view(), name="api-best-fit"),
    path("v1/recipes/", RecipeView.as_view(), name="api-recipes"),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI sets styles from script (React): it gets inline styles, nothing else; its
    # scripts stay same-origin files (the split view).
    path(
        "schema/swagger/",
        csp_update({"style-src": [UNSAFE_INLINE]})(SwaggerView.as_view(url_name="api-schema")),
        name="api-swagger",
    ),
    # ReDoc fetches its logo from its vendor's CDN and runs a blob: worker; the one
    # documentation page is Swagger UI, and old ReDoc links land there.
    path(
        "schema/redoc/",
        RedirectView.as_view(pattern_name="api-swagger", permanent=False),
        name="api-redoc",
    ),
]
