from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from catalog import selectors
from catalog.api import serializers
from catalog.filters import (
    FamilyFilterSet,
    FeatureFilterSet,
    OrganizationFilterSet,
    VariantFilterSet,
    VersionFilterSet,
)
from core.api.views import CuratedViewSet

VERSION_KEY = r"[-\w]+/[-\w]+"
VARIANT_KEY = r"[-\w]+/[-\w]+/[-\w]+"


class OrganizationViewSet(CuratedViewSet):
    """Publishers of models."""

    list_selector = staticmethod(selectors.organization_list)
    detail_selector = staticmethod(selectors.organization_detail)
    serializer_class = serializers.OrganizationSerializer
    detail_serializer_class = serializers.OrganizationDetailSerializer
    filterset_class = OrganizationFilterSet


class FamilyViewSet(CuratedViewSet):
    """Brand lines of models (LLaMA, Qwen, GLM…)."""

    list_selector = staticmethod(selectors.family_list)
    detail_selector = staticmethod(selectors.family_detail)
    serializer_class = serializers.FamilySerializer
    detail_serializer_class = serializers.FamilyDetailSerializer
    filterset_class = FamilyFilterSet


class FeatureViewSet(CuratedViewSet):
    """Architecture features (RMSNorm, SwiGLU, GQA, MLA, MoE…)."""

    list_selector = staticmethod(selectors.feature_list)
    detail_selector = staticmethod(selectors.feature_detail)
    serializer_class = serializers.FeatureSerializer
    detail_serializer_class = serializers.FeatureDetailSerializer
    filterset_class = FeatureFilterSet


class KeyedViewSet(CuratedViewSet):
    """Resources addressed by a path key (``family/version``…) instead of a bare slug."""

    lookup_field = "key"
    key_parts: tuple[str, ...] = ()

    def get_object(self):
        parts = self.kwargs["key"].split("/")
        queryset = (
            self.filter_queryset(self.get_queryset())
            if self.action == "list"
            else (self.get_queryset())
        )
        lookups = dict(zip(self.key_parts, parts, strict=True))
        instance = get_object_or_404(queryset, **lookups)
        self.check_object_permissions(self.request, instance)
        return instance


class VersionViewSet(KeyedViewSet):
    """Generations of a family (Llama 2, Qwen2.5…), addressed as ``family/version``."""

    lookup_value_regex = VERSION_KEY
    key_parts = ("family__slug", "slug")
    list_selector = staticmethod(selectors.version_list)
    detail_selector = staticmethod(selectors.version_detail)
    serializer_class = serializers.VersionSerializer
    detail_serializer_class = serializers.VersionDetailSerializer
    filterset_class = VersionFilterSet


class VariantViewSet(KeyedViewSet):
    """Checkpoints with their exact architecture, addressed as ``family/version/variant``."""

    lookup_value_regex = VARIANT_KEY
    key_parts = ("version__family__slug", "version__slug", "slug")
    list_selector = staticmethod(selectors.variant_list_page)
    detail_selector = staticmethod(selectors.variant_detail)
    serializer_class = serializers.VariantSerializer
    detail_serializer_class = serializers.VariantDetailSerializer
    filterset_class = VariantFilterSet

    @extend_schema(responses=serializers.LineageSerializer)
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def lineage(self, request, key=None, format=None):
        """Ancestors and descendants of the variant (all generations, across families)."""
        variant = self.get_object()
        edges = selectors.lineage_of(variant, user=request.user)
        return Response(
            serializers.LineageSerializer(
                {"variant": variant, **edges}, context=self.get_serializer_context()
            ).data
        )
