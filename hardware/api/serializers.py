from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from catalog.choices import PublicationStatus
from catalog.models import ModelVariant
from hardware.estimator import KV_DTYPES, PRECISIONS, WORKLOADS
from hardware.estimator.memory import LORA_TARGETS, MAX_BATCH, MAX_CONTEXT_TOKENS

CONFIG_OR_VARIANT = _("Give exactly one of 'config' or 'variant'.")
UNKNOWN_FIELD = _("Unknown field.")


class EstimateRequestSerializer(serializers.Serializer):
    """Input of POST /api/v1/estimate/: a config.json or a catalog variant, and options."""

    config = serializers.JSONField(required=False, help_text=_("A Hugging Face config.json."))
    variant = serializers.SlugField(required=False, help_text=_("A catalog variant's slug."))
    workload = serializers.ChoiceField(choices=WORKLOADS, default="inference")
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
        variants = ModelVariant.objects.select_related("version")
        request = self.context.get("request")
        if not (request and request.user.has_perm("catalog.view_modelvariant")):
            variants = variants.filter(
                status=PublicationStatus.PUBLISHED, version__status=PublicationStatus.PUBLISHED
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
