"""The adoption layer's API representations. Every write goes through the services
(``adoption.services``): the serializers only turn JSON into their arguments and their errors
into field-keyed 400s."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from adoption.choices import DECISIONS, OPEN, ApprovalStatus, Engine
from adoption.models import Approval, Artifact, ArtifactFile, Deployment, UseCase
from adoption.models.approvals import EXPIRY_BEFORE_DECISION
from adoption.services.approvals import (
    USE_CASE_FIELDS,
    answers_thawed,
    approval_propose,
    approval_update,
    use_case_upsert,
)
from adoption.services.artifacts import ArtifactInputError, artifact_upsert
from catalog.keys import variant_key, version_key
from catalog.models import ModelVariant, ModelVersion
from core.api.serializers import NUL_REFUSED
from core.jsonsafe import NUL, unstorable
from evaluations.models import Result
from hardware.models import HardwareProfile
from licenses.terms import shown_answer

# Error messages users see (constants: the tests assert on them).
UNKNOWN_FIELD = _("Unknown or read-only field.")
NO_SUCH_VARIANT = _("No model “%(key)s”: give family/version/variant.")
NO_SUCH_VERSION = _("No version “%(key)s”: give family/version.")
PROPOSED_FIRST = _("A new approval is proposed; move it to under review once it exists.")
FIXED_AFTER_PROPOSAL = _("Cannot be changed once proposed: propose a new approval instead.")
NO_SUCH_PROFILE = _("No hardware profile “%(slug)s”.")
ENGINE_CHOICES = (Engine.VLLM, Engine.SGLANG, Engine.LLAMA_CPP, Engine.OLLAMA)
# The statuses an editor sets, and an approver's decisions (named in the OpenAPI schema by
# settings.SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]).
OPEN_STATUS_CHOICES = [(status.value, status.label) for status in ApprovalStatus if status in OPEN]
DECISION_CHOICES = [
    (status.value, status.label) for status in ApprovalStatus if status in DECISIONS
]


class StrictFieldsMixin:
    """An unknown or read-only field in a write is a 400 naming it: a typo must not pass. A NUL
    anywhere in a value is a 400 naming its field before any query (PostgreSQL cannot hold it
    in text, and a lookup with it would fail)."""

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            unknown = sorted(
                str(name) for name in data if name not in self.fields or self.fields[name].read_only
            )
            if unknown:
                raise serializers.ValidationError({unknown[0]: [UNKNOWN_FIELD]})
            items = data.lists() if hasattr(data, "lists") else data.items()
            refused = {name: [NUL_REFUSED] for name, value in items if unstorable(value) == NUL}
            if refused:
                raise serializers.ValidationError(refused)
        return super().to_internal_value(data)


def service_errors(exc: DjangoValidationError) -> serializers.ValidationError:
    """A service's field-keyed errors as DRF's (``__all__`` as ``non_field_errors``)."""
    if not hasattr(exc, "error_dict"):
        return serializers.ValidationError({"non_field_errors": exc.messages})
    return serializers.ValidationError(
        {
            "non_field_errors" if name == "__all__" else name: messages
            for name, messages in exc.message_dict.items()
        }
    )


@extend_schema_field(OpenApiTypes.STR)
class VariantKeyRelatedField(serializers.RelatedField):
    """A variant read and written as its key, ``family/version/variant`` (drafts included:
    the write paths refuse a draft with their own message)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", ModelVariant.objects.select_related("version__family"))
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        parts = str(data).strip().strip("/").split("/")
        found = None
        if len(parts) == 3:
            found = (
                self.get_queryset()
                .filter(version__family__slug=parts[0], version__slug=parts[1], slug=parts[2])
                .first()
            )
        if found is None:
            raise serializers.ValidationError(NO_SUCH_VARIANT % {"key": str(data)[:200]})
        return found

    def to_representation(self, value):
        return variant_key(value)


@extend_schema_field(OpenApiTypes.STR)
class VersionKeyRelatedField(serializers.RelatedField):
    """A version read and written as its key, ``family/version``."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", ModelVersion.objects.select_related("family"))
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        parts = str(data).strip().strip("/").split("/")
        found = None
        if len(parts) == 2:
            found = self.get_queryset().filter(family__slug=parts[0], slug=parts[1]).first()
        if found is None:
            raise serializers.ValidationError(NO_SUCH_VERSION % {"key": str(data)[:200]})
        return found

    def to_representation(self, value):
        return version_key(value)


class UsernameField(serializers.CharField):
    """A user (read only) as their username."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        return value.get_username()


# --- use cases ----------------------------------------------------------------------------------


class UseCaseSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    """A use the company defines and the licence questions it implies."""

    class Meta:
        model = UseCase
        fields = ["id", *USE_CASE_FIELDS, "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]

    def create(self, validated_data):
        return self._upsert(None, validated_data)

    def update(self, instance, validated_data):
        return self._upsert(instance, validated_data)

    def _upsert(self, instance, validated_data):
        try:
            return use_case_upsert(use_case=instance, **validated_data)
        except DjangoValidationError as exc:
            raise service_errors(exc) from None


# --- approvals ----------------------------------------------------------------------------------


class LicenseReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()
    message = serializers.CharField()
    term = serializers.CharField()


class LicenseAnswerSerializer(serializers.Serializer):
    question = serializers.CharField()
    question_text = serializers.CharField()
    verdict = serializers.CharField()
    verdict_text = serializers.CharField()
    reasons = LicenseReasonSerializer(many=True)


def frozen_answers(approval: Approval) -> list[dict]:
    """The licence checker's answers frozen with the decision, in words (the current
    language), with the licence the view attached as ``license_at_decision``; codes only when
    that licence is gone."""
    answers = answers_thawed(approval.license_answers)
    license = getattr(approval, "license_at_decision", None)
    use = approval.use_case.intended_use()
    rows = []
    for answer in answers:
        if license is None:
            rows.append(
                {
                    "question": str(answer.question),
                    "question_text": str(answer.question),
                    "verdict": str(answer.verdict),
                    "verdict_text": str(answer.verdict),
                    "reasons": [
                        {"reason": str(f.reason), "message": str(f.reason), "term": f.clause_key}
                        for f in answer.findings
                    ],
                }
            )
            continue
        shown = shown_answer(answer, license, use)
        rows.append(
            {
                "question": str(shown.question),
                "question_text": str(shown.text),
                "verdict": str(shown.verdict),
                "verdict_text": str(shown.verdict_text),
                "reasons": [
                    {
                        "reason": str(found.reason),
                        "message": str(shown_finding.message),
                        "term": shown_finding.clause_key,
                    }
                    for found, shown_finding in zip(answer.findings, shown.findings, strict=True)
                ],
            }
        )
    return rows


class ApprovalSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    """The company's decision on a variant (or every variant of a version) for a use case.
    Editors propose (``use_case``, ``variant`` or ``version``, ``conditions``, ``risk_notes``,
    ``evaluations``) and move an open approval between proposed and under review; approvers
    decide with ``POST /api/v1/approvals/{id}/decide/``. ``license_answers`` are the licence
    checker's answers frozen with the decision; ``review_due`` is true for an allowing
    approval whose expiry date has come."""

    use_case = serializers.SlugRelatedField(slug_field="slug", queryset=UseCase.objects.all())
    use_case_name = serializers.CharField(source="use_case.name", read_only=True)
    variant = VariantKeyRelatedField(required=False, allow_null=True)
    version = VersionKeyRelatedField(required=False, allow_null=True)
    status = serializers.ChoiceField(
        choices=OPEN_STATUS_CHOICES,
        required=False,
        help_text=_("Editors move an open approval; decisions go through decide/."),
    )
    proposed_by = UsernameField(allow_null=True)
    reviewer = UsernameField(allow_null=True)
    review_due = serializers.BooleanField(read_only=True)
    license = serializers.CharField(source="license_slug", read_only=True)
    license_answers = serializers.SerializerMethodField()
    evaluations = serializers.PrimaryKeyRelatedField(
        source="results",
        many=True,
        required=False,
        queryset=Result.objects.all(),
        help_text=_("Ids of the evaluation results the decision rests on."),
    )

    class Meta:
        model = Approval
        fields = [
            "id",
            "use_case",
            "use_case_name",
            "variant",
            "version",
            "status",
            "conditions",
            "risk_notes",
            "proposed_by",
            "reviewer",
            "decided_on",
            "expires_on",
            "review_due",
            "license",
            "license_answers",
            "evaluations",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["decided_on", "expires_on", "created_at", "updated_at"]
        # The write path names a repeated pair itself (one approval per use case and model).
        validators: list = []

    @extend_schema_field(LicenseAnswerSerializer(many=True))
    def get_license_answers(self, approval) -> list[dict]:
        return frozen_answers(approval)

    def validate(self, attrs):
        if self.instance is None and attrs.get("status", ApprovalStatus.PROPOSED) != (
            ApprovalStatus.PROPOSED
        ):
            raise serializers.ValidationError({"status": [PROPOSED_FIRST]})
        if self.instance is not None:
            for name in ("use_case", "variant", "version"):
                if name in attrs and attrs[name] != getattr(self.instance, name):
                    raise serializers.ValidationError({name: [FIXED_AFTER_PROPOSAL]})
        return attrs

    def _user(self):
        request = self.context.get("request")
        return getattr(request, "user", None)

    def create(self, validated_data):
        try:
            return approval_propose(
                use_case=validated_data["use_case"],
                variant=validated_data.get("variant"),
                version=validated_data.get("version"),
                conditions=validated_data.get("conditions", ""),
                risk_notes=validated_data.get("risk_notes", ""),
                results=validated_data.get("results", ()),
                user=self._user(),
            )
        except DjangoValidationError as exc:
            raise service_errors(exc) from None

    def update(self, instance, validated_data):
        fields = {k: validated_data[k] for k in ("conditions", "risk_notes") if k in validated_data}
        try:
            return approval_update(
                approval=instance,
                user=self._user(),
                status=validated_data.get("status"),
                results=validated_data.get("results"),
                **fields,
            )
        except DjangoValidationError as exc:
            raise service_errors(exc) from None


class DecisionSerializer(StrictFieldsMixin, serializers.Serializer):
    """An approver's decision (``POST /api/v1/approvals/{id}/decide/``)."""

    status = serializers.ChoiceField(choices=DECISION_CHOICES)
    conditions = serializers.CharField(required=False, allow_blank=True)
    risk_notes = serializers.CharField(required=False, allow_blank=True)
    decided_on = serializers.DateField(
        required=False, help_text=_("Default: today in the registry's time zone.")
    )
    expires_on = serializers.DateField(
        required=False, allow_null=True, help_text=_("Re-review is due from this date.")
    )

    def validate(self, attrs):
        decided_on: datetime.date = attrs.get("decided_on") or timezone.localdate()
        expires_on = attrs.get("expires_on")
        if expires_on is not None and expires_on < decided_on:
            raise serializers.ValidationError({"expires_on": [EXPIRY_BEFORE_DECISION]})
        return attrs


# --- deployments --------------------------------------------------------------------------------


class DeploymentSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    """Where a variant runs inside the company. The health fields are the health check's
    (read only)."""

    variant = VariantKeyRelatedField()
    profile = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=HardwareProfile.objects.all(),
        required=False,
        allow_null=True,
    )

    class Meta:
        model = Deployment
        fields = [
            "id",
            "name",
            "variant",
            "environment",
            "endpoint_url",
            "engine",
            "engine_version",
            "profile",
            "precision",
            "max_context_tokens",
            "owner_team",
            "owner_contact",
            "status",
            "health",
            "last_checked_at",
            "last_seen_up_at",
            "last_error",
            "consecutive_failures",
            "served_models",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "health",
            "last_checked_at",
            "last_seen_up_at",
            "last_error",
            "consecutive_failures",
            "served_models",
            "created_at",
            "updated_at",
        ]

    def create(self, validated_data):
        return self._save(Deployment(), validated_data)

    def update(self, instance, validated_data):
        return self._save(instance, validated_data)

    def _save(self, instance, validated_data):
        # There is no deployment service yet: full_clean then save, in one transaction.
        for name, value in validated_data.items():
            setattr(instance, name, value)
        try:
            with transaction.atomic():
                instance.full_clean()
                instance.save()
        except DjangoValidationError as exc:
            raise service_errors(exc) from None
        return instance


# --- artifacts ----------------------------------------------------------------------------------


class ArtifactFileSerializer(serializers.ModelSerializer):
    # The write path validates the checksum (adoption.services.artifacts): its message, keyed
    # ``files[i].sha256``, is the one clients see.
    sha256 = serializers.CharField(max_length=200)
    verified = serializers.BooleanField(read_only=True, allow_null=True)

    class Meta:
        model = ArtifactFile
        fields = ["path", "size_bytes", "sha256", "verified"]
        validators: list = []


class ArtifactSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    """A copy of a variant's weights in the company's storage and its files (path, size,
    SHA-256, and whether the last verification found them as recorded). The registry never
    downloads weights: ``POST /api/v1/artifacts/{id}/verify/`` compares the recorded files
    with a manifest (``sha256sum`` output, SHA256SUMS, a JSON file list)."""

    variant = VariantKeyRelatedField()
    files = ArtifactFileSerializer(many=True, required=False)
    verified_by = UsernameField(allow_null=True)

    class Meta:
        model = Artifact
        fields = [
            "id",
            "variant",
            "uri",
            "format",
            "quantization",
            "upstream_revision",
            "note",
            "files",
            "verification",
            "verified_at",
            "verified_by",
            "verification_report",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "verification",
            "verified_at",
            "verification_report",
            "created_at",
            "updated_at",
        ]
        # The write path refuses a copy recorded twice with its own message.
        validators: list = []

    def create(self, validated_data):
        return self._upsert(None, validated_data)

    def update(self, instance, validated_data):
        return self._upsert(instance, validated_data)

    def _upsert(self, instance, validated_data):
        def current(name, default=""):
            if name in validated_data:
                return validated_data[name]
            return getattr(instance, name) if instance is not None else default

        if "files" in validated_data:
            files = [dict(item) for item in validated_data["files"]]
        elif instance is not None:
            files = [
                {"path": f.path, "size_bytes": f.size_bytes, "sha256": f.sha256}
                for f in instance.files.all()
            ]
        else:
            files = []
        request = self.context.get("request")
        try:
            return artifact_upsert(
                artifact=instance,
                variant=current("variant", None),
                uri=current("uri"),
                format=current("format"),
                quantization=current("quantization"),
                upstream_revision=current("upstream_revision"),
                note=current("note"),
                files=files,
                user=getattr(request, "user", None),
            )
        except ArtifactInputError as exc:
            raise serializers.ValidationError(
                {name: [message] for name, message in exc.errors.items()}
            ) from None


class ManifestSerializer(StrictFieldsMixin, serializers.Serializer):
    """``POST /api/v1/artifacts/{id}/verify/``: the manifest to compare the files with."""

    manifest = serializers.CharField(
        trim_whitespace=False,
        help_text=_("sha256sum output, a SHA256SUMS file, or a JSON list of path, sha256, size."),
    )


# --- recipes ------------------------------------------------------------------------------------


class RecipeQuerySerializer(serializers.Serializer):
    """The parameters of ``GET /api/v1/recipes/``."""

    variant = serializers.CharField(help_text=_("family/version/variant"))
    profile = serializers.CharField(help_text=_("hardware profile slug"))
    precision = serializers.CharField(help_text=_("precision key, e.g. fp8, awq-int4, q4_k_m"))
    context = serializers.IntegerField(min_value=1, help_text=_("context in tokens"))
    engine = serializers.ChoiceField(choices=ENGINE_CHOICES)
    kv_cache_dtype = serializers.CharField(required=False, help_text=_("default bf16"))
    gpu_memory_utilization = serializers.CharField(
        required=False, help_text=_("share of each accelerator, above 0 and at most 1")
    )


class RecipeSerializer(serializers.Serializer):
    """A serving recipe (adoption.services.recipes.recipe_build)."""

    engine = serializers.CharField()
    variant = serializers.CharField()
    repo_id = serializers.CharField()
    profile = serializers.CharField()
    profile_name = serializers.CharField()
    gpu_count = serializers.IntegerField()
    precision = serializers.CharField()
    kv_cache_dtype = serializers.CharField()
    context_tokens = serializers.IntegerField()
    gpu_memory_utilization = serializers.FloatField()
    command = serializers.CharField()
    argv = serializers.ListField(child=serializers.CharField())
    modelfile = serializers.CharField(allow_null=True)
    expected_memory = serializers.DictField()
    notes = serializers.ListField(child=serializers.CharField())
    assumptions = serializers.JSONField()
    estimator_version = serializers.CharField()
    recipe_version = serializers.CharField()
