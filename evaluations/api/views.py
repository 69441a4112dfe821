from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.permissions import PublicReadComputation
from core.api.views import CuratedViewSet
from evaluations import selectors
from evaluations.api import serializers
from evaluations.filters import BenchmarkFilterSet, ResultFilterSet
from evaluations.forms import best_fit_from_query


class BenchmarkViewSet(CuratedViewSet):
    """Benchmarks: the test suites results are reported on, with their metric, scale,
    category and caveats. Private ones (a company's own task suites) are visible to signed-in
    staff only."""

    list_selector = staticmethod(selectors.benchmark_list)
    detail_selector = staticmethod(selectors.benchmark_detail)
    serializer_class = serializers.BenchmarkSerializer
    filterset_class = BenchmarkFilterSet


class ResultViewSet(CuratedViewSet):
    """Evaluation results, each exactly as its source reports it, with its setting and
    source. ``reported_by`` is ``publisher``, ``independent`` or ``internal`` (the company's
    own runs: visible to signed-in staff only; post them with a token of an editor).
    Results with the same ``comparable_key`` may be compared; others may not."""

    lookup_field = "pk"
    lookup_value_regex = r"[0-9]+"
    list_selector = staticmethod(selectors.result_list)
    detail_selector = staticmethod(selectors.result_detail)
    serializer_class = serializers.ResultSerializer
    filterset_class = ResultFilterSet

    def perform_destroy(self, instance):
        self._check_if_match(instance)
        instance.delete()


class BestFitView(APIView):
    """The best model that fits: for the hardware (``accelerator`` × ``count`` or a
    ``profile``), ``precision``, ``context_tokens`` and ``workload``, each model with a result
    on the ``benchmark`` (or the ``category``'s most reported benchmark) under one comparable
    setting (``setting``: a comparable key; default the most common), its memory need and
    score, and whether it is on the Pareto frontier. Licence constraints are the variant
    list's filters (``commercial_use``, ``license_allowed_in``…); ``open_weights=true`` keeps
    models with published weights."""

    permission_classes = [PublicReadComputation]

    @extend_schema(
        parameters=[serializers.BestFitQuerySerializer],
        responses=serializers.BestFitSerializer,
    )
    def get(self, request):
        answer, errors = best_fit_from_query(request)
        if errors:
            return Response(errors, status=status.HTTP_400_BAD_REQUEST)
        return Response(serializers.BestFitSerializer(answer).data)
