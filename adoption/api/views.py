"""The adoption layer's API: use cases, approvals (and their decision), deployments, artifacts
(and their verification) and serving recipes. Internal: for signed-in staff of the adoption
roles only.

Who gets what (the rest of the API's rule, with existence never revealed):

- anonymous callers get 401 when ``REGISTRY_PUBLIC_READ`` is off, as everywhere in the API;
  when it is on, every adoption address answers 404, as for a path that does not exist, so
  anonymous readers cannot even learn that the company records approvals (the catalog hides
  internal evaluation results the same way: they are not there for those who may not see
  them);
- signed-in users without the adoption view permission (``can_see_adoption``) get 404 too;
- viewers, editors and approvers read; editors write use cases, approvals (propose and
  update), deployments and artifacts; approvers decide approvals. A role that may read but
  not do what it asked gets 403 with the reason.

Answers are ``Cache-Control: private``: the shared response cache (core/response_cache.py)
keys entries by the catalog's view permissions and generation, neither of which follows the
adoption layer, so it must never store them.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from adoption import selectors
from adoption.api import serializers
from adoption.filters import (
    ApprovalFilterSet,
    ArtifactFilterSet,
    DeploymentFilterSet,
    UseCaseFilterSet,
)
from adoption.services.approvals import NOT_AN_APPROVER, approval_decide, can_decide
from adoption.services.artifacts import ArtifactInputError, artifact_verify
from adoption.services.recipes import RecipeInputError, recipe_build
from catalog.selectors import variant_list
from core.api.exceptions import not_found
from core.api.filters import NUL_IN_PARAMETER, UNKNOWN_PARAMETER
from core.api.permissions import RegistryPermission
from core.api.views import CuratedViewSet
from hardware.models import HardwareProfile

NOT_AN_EDITOR_VERIFY = _("Only an editor verifies an artifact's files.")
# The recipe's query names its context ``context``; the service calls it context_tokens.
RECIPE_PARAMETERS = {"context_tokens": "context"}


def _hidden_from(request) -> bool:
    """Whether ``request``'s caller may not see the adoption layer; raises 404 where the
    answer must not reveal that it exists (see the module's docstring)."""
    user = request.user
    if selectors.can_see_adoption(user):
        return False
    if (user is not None and user.is_authenticated) or settings.REGISTRY_PUBLIC_READ:
        request._request.adoption_hidden = True
        raise NotFound
    return True  # anonymous with public read off: 401, as the rest of the API


class AdoptionPermission(RegistryPermission):
    """Reads for the adoption roles; writes for those with the model permission whose token,
    if any, is not read-only. Never anonymous."""

    def allows_anonymous(self, method: str) -> bool:
        return False

    def has_permission(self, request, view):
        if _hidden_from(request):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        return super().has_permission(request, view)


class AdoptionActionPermission(permissions.BasePermission):
    """An action of its own (decide, verify): the adoption roles with a token that may write;
    the action checks the role it needs and answers 403 with the reason."""

    def allows_anonymous(self, method: str) -> bool:
        return False

    def has_permission(self, request, view):
        if _hidden_from(request):
            return False
        return not getattr(getattr(request, "auth", None), "read_only", False)


class PrivateAnswersMixin:
    """Answers no shared cache keeps; to those who may not see the layer, the very 404 of a
    path that does not exist (DRF's would add Allow and Vary headers that tell them apart)."""

    def finalize_response(self, request, response, *args, **kwargs):
        if getattr(request._request, "adoption_hidden", False):
            return not_found(request._request, None)
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_cache_control(response, private=True, no_cache=True)
        return response


class AdoptionViewSet(PrivateAnswersMixin, CuratedViewSet):
    """The base of the adoption resources: the selector without a user (the permission decides
    who reads at all), ids in the address, deletes as they are (PROTECT answers 409)."""

    lookup_field = "pk"
    lookup_value_regex = r"[0-9]+"
    permission_classes = [AdoptionPermission]

    def get_queryset(self):
        selector = self.list_selector if self.action == "list" else self.detail_selector
        return selector()

    def perform_destroy(self, instance):
        self._check_if_match(instance)
        instance.delete()


class UseCaseViewSet(AdoptionViewSet):
    """Use cases: the uses the company defines (a customer-facing chat product, internal code
    assistance) and the licence questions they imply. Editors write them."""

    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    list_selector = staticmethod(selectors.use_case_list)
    detail_selector = staticmethod(selectors.use_case_list)
    serializer_class = serializers.UseCaseSerializer
    filterset_class = UseCaseFilterSet


class ApprovalViewSet(AdoptionViewSet):
    """Our approvals: each use case's decision on a variant, or on every variant of a version,
    with its conditions, risk notes, reviewer, decision and expiry dates, ``review_due``, the
    licence checker's answers frozen at the decision (in words) and the evaluation results it
    rests on. Editors propose (``status`` proposed or under review); approvers decide with
    ``POST /api/v1/approvals/{id}/decide/``."""

    list_selector = staticmethod(selectors.approval_list)
    detail_selector = staticmethod(selectors.approval_list)
    serializer_class = serializers.ApprovalSerializer
    filterset_class = ApprovalFilterSet

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            selectors.attach_licenses(page, self.request.user)
        return page

    def get_object(self):
        approval = super().get_object()
        selectors.attach_licenses([approval], self.request.user)
        return approval

    def _fresh(self, approval):
        approval = self.get_queryset().get(pk=approval.pk)
        selectors.attach_licenses([approval], self.request.user)
        return approval

    def perform_create(self, serializer):
        serializer.instance = self._fresh(serializer.save())

    def perform_update(self, serializer):
        self._check_if_match(serializer.instance)
        serializer.instance = self._fresh(serializer.save())

    @extend_schema(request=serializers.DecisionSerializer, responses=serializers.ApprovalSerializer)
    @action(detail=True, methods=["post"], permission_classes=[AdoptionActionPermission])
    def decide(self, request, pk=None):
        """An approver's decision: ``status`` approved, approved_with_conditions (with
        ``conditions``), rejected or revoked; ``risk_notes``; ``decided_on`` (default today)
        and ``expires_on`` (re-review due from then). Freezes the licence checker's answers
        for the use case. Anyone but an approver gets 403."""
        approval = self.get_object()
        if not can_decide(request.user):
            raise PermissionDenied(NOT_AN_APPROVER)
        decision = serializers.DecisionSerializer(data=request.data)
        decision.is_valid(raise_exception=True)
        try:
            approval_decide(approval=approval, user=request.user, **decision.validated_data)
        except DjangoPermissionDenied:
            raise PermissionDenied(NOT_AN_APPROVER) from None
        except DjangoValidationError as exc:
            raise serializers.service_errors(exc) from None
        approval = self._fresh(approval)
        return Response(self.get_serializer(approval).data)


class DeploymentViewSet(AdoptionViewSet):
    """Deployments: where a variant runs inside the company (endpoint, engine, hardware,
    owners) and what the health check last saw (``health``, ``last_checked_at``,
    ``last_seen_up_at``, ``last_error``, ``served_models``: read only). Editors write them."""

    list_selector = staticmethod(selectors.deployment_list)
    detail_selector = staticmethod(selectors.deployment_list)
    serializer_class = serializers.DeploymentSerializer
    filterset_class = DeploymentFilterSet


class ArtifactViewSet(AdoptionViewSet):
    """Artifacts: copies of a variant's weights in the company's storage, with their files
    (path, ``size_bytes``, ``sha256``, ``verified``) and the last verification. Editors record
    them (``files`` replaces the recorded list) and verify them with
    ``POST /api/v1/artifacts/{id}/verify/`` and a manifest."""

    list_selector = staticmethod(selectors.artifact_list)
    detail_selector = staticmethod(selectors.artifact_list)
    serializer_class = serializers.ArtifactSerializer
    filterset_class = ArtifactFilterSet

    def _fresh(self, artifact):
        return self.get_queryset().get(pk=artifact.pk)

    def perform_create(self, serializer):
        serializer.instance = self._fresh(serializer.save())

    def perform_update(self, serializer):
        self._check_if_match(serializer.instance)
        serializer.instance = self._fresh(serializer.save())

    @extend_schema(request=serializers.ManifestSerializer, responses=serializers.ArtifactSerializer)
    @action(detail=True, methods=["post"], permission_classes=[AdoptionActionPermission])
    def verify(self, request, pk=None):
        """Compare the recorded files with a manifest (``manifest``: ``sha256sum`` output, a
        SHA256SUMS file, a JSON list of path, sha256 and size): each file's ``verified``, the
        artifact's ``verification`` and its report. Editors only."""
        artifact = self.get_object()
        if not request.user.has_perm("adoption.change_artifact"):
            raise PermissionDenied(NOT_AN_EDITOR_VERIFY)
        manifest = serializers.ManifestSerializer(data=request.data)
        manifest.is_valid(raise_exception=True)
        try:
            artifact_verify(
                artifact=artifact,
                manifest_text=manifest.validated_data["manifest"],
                user=request.user,
            )
        except ArtifactInputError as exc:
            return Response(
                {name: [message] for name, message in exc.errors.items()},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(self.get_serializer(self._fresh(artifact)).data)


NO_SUCH_VARIANT = serializers.NO_SUCH_VARIANT


class RecipeView(PrivateAnswersMixin, APIView):
    """A serving recipe: the command (and for Ollama the Modelfile) that serves ``variant``
    (family/version/variant) on the hardware ``profile`` with ``engine`` at ``precision`` and
    a ``context`` of that many tokens, sized by the memory estimate. 400 naming the parameter
    when the combination cannot be served or does not fit (``profile``)."""

    permission_classes = [AdoptionPermission]

    @extend_schema(
        parameters=[serializers.RecipeQuerySerializer], responses=serializers.RecipeSerializer
    )
    def get(self, request):
        known = set(serializers.RecipeQuerySerializer().fields) | {"format"}
        unknown = sorted(name for name in request.query_params if name not in known)
        if unknown:
            return Response({unknown[0]: [UNKNOWN_PARAMETER]}, status=status.HTTP_400_BAD_REQUEST)
        refused = sorted(
            name
            for name, values in request.query_params.lists()
            if any("\x00" in value for value in values)
        )
        if refused:
            return Response({refused[0]: [NUL_IN_PARAMETER]}, status=status.HTTP_400_BAD_REQUEST)
        query = serializers.RecipeQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        errors = {}
        variant = find_variant_by_key(data["variant"], request.user)
        if variant is None:
            errors["variant"] = [NO_SUCH_VARIANT % {"key": data["variant"][:200]}]
        profile = (
            HardwareProfile.objects.select_related("accelerator")
            .filter(slug=data["profile"])
            .first()
        )
        if profile is None:
            errors["profile"] = [serializers.NO_SUCH_PROFILE % {"slug": data["profile"][:100]}]
        if errors:
            return Response(errors, status=status.HTTP_400_BAD_REQUEST)
        optional = ("kv_cache_dtype", "gpu_memory_utilization")
        options = {name: data[name] for name in optional if name in data}
        try:
            recipe = recipe_build(
                variant=variant,
                profile=profile,
                precision=data["precision"],
                context_tokens=data["context"],
                engine=data["engine"],
                **options,
            )
        except RecipeInputError as exc:
            return Response(
                {RECIPE_PARAMETERS.get(k, k): [v] for k, v in exc.errors.items()},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(recipe)


def find_variant_by_key(key: str, user):
    """The variant ``user`` may see named by ``family/version/variant``, or None."""
    parts = key.strip().strip("/").split("/")
    if len(parts) != 3:
        return None
    return (
        variant_list(user=user)
        .filter(version__family__slug=parts[0], version__slug=parts[1], slug=parts[2])
        .first()
    )
