from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from catalog.api.citations import CitationSerializer, with_sources
from catalog.keys import variant_key
from catalog.models import ModelVariant
from catalog.selectors import VARIANT_PARENTS, visible
from core.api.serializers import BriefRelatedField, ServiceModelSerializer
from estimator import KV_DTYPES, PRECISIONS
from estimator.fit import MAX_DEVICES
from estimator.memory import LORA_TARGETS, MAX_BATCH, MAX_CONTEXT_TOKENS
from estimator.size_tiers import tier_figures
from estimator.speed import LLAMA_CPP, RUNTIMES
from hardware import selectors
from hardware.models import Accelerator, HardwareProfile, Recommendation, SizeTier, Workload

CURATED_FIELDS = ["status", "seed_claim", "created_at", "updated_at"]


class AcceleratorSerializer(ServiceModelSerializer):
    class Meta:
        model = Accelerator
        fields = [
            "slug",
            "vendor",
            "name",
            "form",
            "memory",
            "memory_unit",
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
    # Null where no published profile fits the variant.
    smallest_profile = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )

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
        return variant_key(rec.variant)


class RecommendationDetailSerializer(RecommendationSerializer):
    class Meta(RecommendationSerializer.Meta):
        fields = [*RecommendationSerializer.Meta.fields, "breakdown"]


CONFIG_OR_VARIANT = _("Give exactly one of 'config' or 'variant'.")
UNKNOWN_FIELD = _("Unknown field.")
COUNT_WITHOUT_ACCELERATOR = _("'count' needs an 'accelerator'.")
PROMPT_PAST_CONTEXT = _("Must be at most 'context'.")


# Named for what it is in the schema (generated clients get ``EstimateRequest``), not
# ``EstimateRequestRequest``: the schema splits request and answer components.
@extend_schema_serializer(component_name="Estimate")
class EstimateRequestSerializer(serializers.Serializer):
    """Input of POST /api/v1/estimate/: a config.json or a catalog variant, and options."""

    config = serializers.JSONField(required=False, help_text=_("A Hugging Face config.json."))
    variant = serializers.SlugField(required=False, help_text=_("A catalog variant's slug."))
    workload = serializers.ChoiceField(choices=Workload.choices, default="inference")
    precision = serializers.ChoiceField(
        choices=list(PRECISIONS),
        required=False,
        help_text=_(
            "Omitted: the checkpoint's own format where it is published quantised (native), "
            "else bf16."
        ),
    )
    context = serializers.IntegerField(min_value=1, max_value=MAX_CONTEXT_TOKENS, default=4096)
    prompt = serializers.IntegerField(
        min_value=1,
        max_value=MAX_CONTEXT_TOKENS,
        required=False,
        help_text=_(
            "Prompt tokens the time to first token is for (at most the context); omitted: a "
            "prompt that fills the context."
        ),
    )
    batch = serializers.IntegerField(min_value=1, max_value=MAX_BATCH, default=1)
    kv_dtype = serializers.ChoiceField(choices=list(KV_DTYPES), default="bf16")
    runtime = serializers.ChoiceField(
        choices=list(RUNTIMES),
        default=LLAMA_CPP,
        help_text=_(
            "How several GPUs share the model: llama.cpp splits the layers (no head count to "
            "divide; one sequence is no faster), vllm is tensor parallel."
        ),
    )
    lora_rank = serializers.IntegerField(min_value=1, max_value=4096, default=16)
    lora_targets = serializers.ChoiceField(choices=LORA_TARGETS, default="attention")
    gradient_checkpointing = serializers.BooleanField(default=True)
    accelerator = serializers.SlugField(
        required=False,
        help_text=_(
            "An accelerator's slug: fit on this hardware alone (with 'count') instead of on "
            "every published profile."
        ),
    )
    count = serializers.IntegerField(
        min_value=1,
        max_value=MAX_DEVICES,
        required=False,
        help_text=_("How many of the accelerator (default 1)."),
    )

    def validate_accelerator(self, value):
        request = self.context.get("request")
        accelerator = (
            selectors.accelerator_list(user=request.user if request else None)
            .filter(slug=value)
            .first()
        )
        if accelerator is None:
            raise serializers.ValidationError(_("No accelerator with this slug."))
        return accelerator

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
        if "count" in attrs and "accelerator" not in attrs:
            raise serializers.ValidationError({"count": [COUNT_WITHOUT_ACCELERATOR]})
        if attrs.get("prompt", 0) > attrs["context"]:
            raise serializers.ValidationError({"prompt": [PROMPT_PAST_CONTEXT]})
        return attrs


# The answer of POST /api/v1/estimate/ (estimator.Estimate.as_dict), for the schema
# only: the view answers the estimator's dictionary as it is. tests/test_api_schema.py checks
# that a real answer has exactly these fields.


class EstimateInputsSerializer(serializers.Serializer):
    """The options the estimate used; the LoRA ones and gradient checkpointing are null where
    the workload has none."""

    workload = serializers.CharField()
    precision = serializers.CharField()
    context = serializers.IntegerField()
    prompt = serializers.IntegerField(allow_null=True)
    runtime = serializers.CharField(allow_null=True)
    batch = serializers.IntegerField()
    kv_dtype = serializers.CharField()
    lora_rank = serializers.IntegerField(allow_null=True)
    lora_targets = serializers.CharField(allow_null=True)
    gradient_checkpointing = serializers.BooleanField(allow_null=True)
    usable_fraction = serializers.FloatField()


class EstimateExtraParametersSerializer(serializers.Serializer):
    """Parameters outside the total: multi-token prediction modules and a vision tower."""

    mtp = serializers.IntegerField()
    vision = serializers.IntegerField()


class EstimateMemorySerializer(serializers.Serializer):
    """Memory of the workload by kind, in bytes."""

    weights_bytes = serializers.IntegerField()
    kv_cache_bytes = serializers.IntegerField()
    fixed_state_bytes = serializers.IntegerField()
    activation_bytes = serializers.IntegerField()
    overhead_bytes = serializers.IntegerField()
    gradient_bytes = serializers.IntegerField()
    optimizer_bytes = serializers.IntegerField()
    total_bytes = serializers.IntegerField()


class EstimateTermSerializer(serializers.Serializer):
    """One line of the memory breakdown."""

    key = serializers.CharField()
    bytes = serializers.IntegerField()
    explanation = serializers.CharField()
    source = serializers.CharField()


class EstimateFitSerializer(serializers.Serializer):
    """How one published hardware profile fares; decode speeds are null where it does not
    fit."""

    profile = serializers.CharField()
    name = serializers.CharField()
    count = serializers.IntegerField()
    per_device_bytes = serializers.IntegerField()
    usable_bytes = serializers.IntegerField()
    headroom_bytes = serializers.IntegerField()
    fits = serializers.BooleanField()
    reason = serializers.CharField()
    decode_tokens_per_s_per_sequence = serializers.FloatField(
        allow_null=True,
        help_text=_(
            "Realistic decode speed of one sequence (llama.cpp, one GPU or split by layers), "
            "calibrated against published measurements; null where no runtime is calibrated "
            "for the accelerator."
        ),
    )
    decode_tokens_per_s_aggregate = serializers.FloatField(allow_null=True)
    decode_tokens_per_s_upper_bound = serializers.FloatField(
        allow_null=True,
        help_text=_(
            "The memory-bandwidth roofline of one sequence, every GPU's bandwidth at once."
        ),
    )
    time_to_first_token_s = serializers.FloatField(
        allow_null=True,
        help_text=_(
            "Seconds to prefill the prompt (llama.cpp, calibrated against published "
            "measurements); null where no runtime is calibrated or no dense throughput is "
            "published for the accelerator."
        ),
    )
    time_to_first_token_s_at_peak = serializers.FloatField(
        allow_null=True,
        help_text=_("The prompt's FLOPs at every GPU's datasheet dense 16-bit throughput at once."),
    )


class EstimateCheckpointSerializer(serializers.Serializer):
    """What the published checkpoint stores, by dtype as the Hub counts it, and why that
    differs from the parameter count (a block-quantised FP8 checkpoint)."""

    tensors = serializers.DictField(child=serializers.IntegerField())
    total = serializers.IntegerField()
    scales = serializers.IntegerField()
    mtp = serializers.IntegerField()
    reconciliation = serializers.ListField(child=serializers.CharField())


class EstimateSerializer(serializers.Serializer):
    """Exact parameters, memory by term, the profiles that fit and decode speed. ``variant``
    is there when a catalog variant was estimated; ``smallest_profile`` is null when no
    profile fits."""

    estimator_version = serializers.CharField()
    variant = serializers.CharField(required=False)
    inputs = EstimateInputsSerializer()
    architecture = serializers.DictField()
    total_params = serializers.IntegerField()
    active_params = serializers.IntegerField()
    extra_params = EstimateExtraParametersSerializer()
    checkpoint = EstimateCheckpointSerializer(allow_null=True)
    kv_cache_bytes_per_token = serializers.IntegerField()
    fixed_state_bytes_per_sequence = serializers.IntegerField(
        help_text=_(
            "What each sequence keeps whatever its length: the state of linear-attention "
            "layers (0 for a model whose every layer attends)."
        )
    )
    memory = EstimateMemorySerializer()
    breakdown = EstimateTermSerializer(many=True)
    fits = EstimateFitSerializer(many=True)
    smallest_profile = serializers.CharField(allow_null=True)
    assumptions = serializers.ListField(child=serializers.CharField())
