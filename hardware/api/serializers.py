from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from catalog.models import ModelVariant
from catalog.selectors import VARIANT_PARENTS, visible
from hardware.estimator import KV_DTYPES, PRECISIONS
from hardware.estimator.memory import LORA_TARGETS, MAX_BATCH, MAX_CONTEXT_TOKENS
from hardware.models import Accelerator, HardwareProfile, Recommendation, SizeTier, Workload
from llmregistry.api.serializers import (
    BriefRelatedField,
    CitationSerializer,
    ServiceModelSerializer,
    with_sources,
)

CURATED_FIELDS = ["status", "seed_claim", "created_at", "updated_at"]


class AcceleratorSerializer(ServiceModelSerializer):
    class Meta:
        model = Accelerator
        fields = [
            "slug",
            "vendor",
            "name",
            "form",
            "memory_gib",
            "memory_type",
            "memory_bandwidth_gbps",
            "bf16_dense_tflops",
            "fp8_dense_tflops",
            "int8_dense_tops",
            "supports_fp8",
            "supports_int4",
            "interconnect",
            "interconnect_bandwidth_gbps",
            "tdp_watts",
            "release_year",
            "datasheet_url",
            *CURATED_FIELDS,
        ]
        read_only_fields = ["created_at", "updated_at"]


AcceleratorDetailSerializer = with_sources(AcceleratorSerializer)


class AcceleratorBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Accelerator
        fields = ["slug", "vendor", "name", "form", "memory_gib", "memory_bandwidth_gbps"]


class ProfileSerializer(ServiceModelSerializer):
    accelerator = BriefRelatedField(AcceleratorBriefSerializer, queryset=Accelerator.objects.all())
    total_memory_gib = serializers.SerializerMethodField()

    class Meta:
        model = HardwareProfile
        fields = [
            "slug",
            "name",
            "name_zh",
            "accelerator",
            "count",
            "total_memory_gib",
            "host_memory_gib",
            "description",
            "description_zh",
            *CURATED_FIELDS,
        ]
        read_only_fields = ["created_at", "updated_at"]

    def get_total_memory_gib(self, profile) -> str:
        return str(profile.accelerator.memory_gib * profile.count)


ProfileDetailSerializer = with_sources(ProfileSerializer)


class SizeTierSerializer(ServiceModelSerializer):
    class Meta:
        model = SizeTier
        fields = [
            "slug",
            "label",
            "parameters_billion",
            "training_memory",
            "inference_memory",
            "cpu_memory",
            "compute",
            "training_time",
            "multi_gpu",
            "use_case",
            "use_case_zh",
            *CURATED_FIELDS,
        ]
        read_only_fields = ["created_at", "updated_at"]


class SizeTierDetailSerializer(SizeTierSerializer):
    sources = CitationSerializer(source="citations", many=True, read_only=True)
    computed = serializers.SerializerMethodField()

    class Meta(SizeTierSerializer.Meta):
        fields = [*SizeTierSerializer.Meta.fields, "computed", "sources"]

    def get_computed(self, tier) -> list[dict]:
        from hardware.estimator.size_tiers import tier_figures

        return [
            {
                "key": f.key,
                "label": f.label,
                "computed_bytes": f.computed_bytes,
                "seed_text": f.seed_text,
                "disagrees": f.disagrees,
                "explanation": f.explanation,
            }
            for f in tier_figures(
                tier.parameters_billion,
                training_memory=tier.training_memory,
                inference_memory=tier.inference_memory,
            )
        ]


class RecommendationSerializer(serializers.ModelSerializer):
    variant = serializers.SerializerMethodField()
    smallest_profile = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Recommendation
        fields = [
            "id",
            "variant",
            "workload",
            "precision",
            "context_tokens",
            "batch",
            "total_bytes",
            "weights_bytes",
            "kv_cache_bytes",
            "fitting_profiles",
            "smallest_profile",
            "decode_tokens_per_s",
            "estimator_version",
            "computed_at",
        ]

    def get_variant(self, rec) -> str:
        version = rec.variant.version
        return f"{version.family.slug}/{version.slug}/{rec.variant.slug}"


class RecommendationDetailSerializer(RecommendationSerializer):
    class Meta(RecommendationSerializer.Meta):
        fields = [*RecommendationSerializer.Meta.fields, "breakdown"]


CONFIG_OR_VARIANT = _("Give exactly one of 'config' or 'variant'.")
UNKNOWN_FIELD = _("Unknown field.")


class EstimateRequestSerializer(serializers.Serializer):
    """Input of POST /api/v1/estimate/: a config.json or a catalog variant, and options."""

    config = serializers.JSONField(required=False, help_text=_("A Hugging Face config.json."))
    variant = serializers.SlugField(required=False, help_text=_("A catalog variant's slug."))
    workload = serializers.ChoiceField(choices=Workload.choices, default="inference")
    precision = serializers.ChoiceField(choices=list(PRECISIONS), default="bf16")
    context = serializers.IntegerField(min_value=1, max_value=MAX_CONTEXT_TOKENS, default=4096)
    batch = serializers.IntegerField(min_value=1, max_value=MAX_BATCH, default=1)
    kv_dtype = serializers.ChoiceField(choices=list(KV_DTYPES), default="bf16")
    lora_rank = serializers.IntegerField(min_value=1, max_value=4096, default=16)
    lora_targets = serializers.ChoiceField(choices=LORA_TARGETS, default="attention")
    gradient_checkpointing = serializers.BooleanField(default=True)

    def validate_config(self, value):
        if not isinstance(value, dict):
            raise serializers.ValidationError(_("Must be a JSON object (the config.json)."))
        return value

    def validate_variant(self, value):
        request = self.context.get("request")
        variants = visible(
            ModelVariant.objects.select_related("version"),
            request.user if request else None,
            path=VARIANT_PARENTS,
        )
        variant = variants.filter(slug=value).order_by("pk").first()
        if variant is None:
            raise serializers.ValidationError(_("No variant with this slug."))
        return variant

    def validate(self, attrs):
        unknown = set(self.initial_data) - set(self.fields)
        if unknown:
            raise serializers.ValidationError({name: [UNKNOWN_FIELD] for name in sorted(unknown)})
        if ("config" in attrs) == ("variant" in attrs):
            raise serializers.ValidationError({"non_field_errors": [CONFIG_OR_VARIANT]})
        return attrs
