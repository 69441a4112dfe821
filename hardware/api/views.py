from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.permissions import PublicReadComputation
from core.api.readplan import PlannedReadMixin
from core.api.views import CuratedViewSet
from estimator import EstimateOptions
from hardware import selectors
from hardware.api import serializers
from hardware.api.serializers import EstimateRequestSerializer, EstimateSerializer
from hardware.filters import (
    AcceleratorFilterSet,
    ProfileFilterSet,
    RecommendationFilterSet,
    SizeTierFilterSet,
)
from hardware.services import EstimateInputError, estimate_for


class EstimateView(APIView):
    """Estimate exact parameters, memory, fitting profiles and decode speed.

    Send ``{"config": {...}}`` (a Hugging Face config.json) or ``{"variant": "<slug>"}`` with
    options; invalid input gets 400 with the field at fault.
    """

    permission_classes = [PublicReadComputation]
    serializer_class = EstimateRequestSerializer

    @extend_schema(request=EstimateRequestSerializer, responses=EstimateSerializer)
    def post(self, request):
        serializer = EstimateRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        options = EstimateOptions(
            workload=data["workload"],
            precision=data.get("precision", ""),
            context_tokens=data["context"],
            prompt_tokens=data.get("prompt"),
            runtime=data["runtime"],
            batch=data["batch"],
            kv_dtype=data["kv_dtype"],
            lora_rank=data["lora_rank"],
            lora_targets=data["lora_targets"],
            gradient_checkpointing=data["gradient_checkpointing"],
        )
        try:
            answer = estimate_for(
                config=data.get("config"),
                variant=data.get("variant"),
                options=options,
                accelerator=data.get("accelerator"),
                count=data.get("count", 1),
            )
        except EstimateInputError as exc:
            return Response(
                {field: [message] for field, message in exc.errors.items()},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(answer)


class AcceleratorViewSet(CuratedViewSet):
    """Accelerators with their datasheet figures."""

    list_selector = staticmethod(selectors.accelerator_list)
    detail_selector = staticmethod(selectors.accelerator_detail)
    serializer_class = serializers.AcceleratorSerializer
    detail_serializer_class = serializers.AcceleratorDetailSerializer
    filterset_class = AcceleratorFilterSet


class ProfileViewSet(CuratedViewSet):
    """N × accelerator, as teams own or rent them."""

    list_selector = staticmethod(selectors.profile_list)
    detail_selector = staticmethod(selectors.profile_detail)
    serializer_class = serializers.ProfileSerializer
    detail_serializer_class = serializers.ProfileDetailSerializer
    filterset_class = ProfileFilterSet


class SizeTierViewSet(CuratedViewSet):
    """The seed's sizing table, with the computed figures beside it in the detail."""

    list_selector = staticmethod(selectors.size_tier_list)
    detail_selector = staticmethod(selectors.size_tier_detail)
    serializer_class = serializers.SizeTierSerializer
    detail_serializer_class = serializers.SizeTierDetailSerializer
    filterset_class = SizeTierFilterSet


class RecommendationViewSet(PlannedReadMixin, viewsets.ReadOnlyModelViewSet):
    """Computed recommendations (read-only): what each variant needs and what fits."""

    serializer_class = serializers.RecommendationSerializer
    filterset_class = RecommendationFilterSet

    def get_queryset(self):
        return selectors.recommendation_list(user=self.request.user)

    def get_serializer_class(self):
        if self.action == "retrieve":
            return serializers.RecommendationDetailSerializer
        return serializers.RecommendationSerializer
