from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.keys import variant_key
from core.api.serializers import ServiceModelSerializer
from evaluations.display import setting_text
from evaluations.fileformat import BENCHMARK_FIELDS
from evaluations.models import Benchmark, Result
from evaluations.services import (
    RESULT_FIELDS,
    ResultInputError,
    result_build,
    variant_index,
)

UNKNOWN_FIELD = _("Unknown or read-only field.")


@extend_schema_field(OpenApiTypes.NUMBER)
class PrintedNumberField(serializers.DecimalField):
    """A decimal read as a JSON number with the digits its source printed (45.73, not
    "45.7300000000000000")."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 24)
        kwargs.setdefault("decimal_places", 16)
        super().__init__(**kwargs)

    def to_representation(self, value):
        if value is None:
            return None
        return float(Decimal(value).normalize())


class VariantKeyField(serializers.CharField):
    """A variant read and written as its key, ``family/version/variant``."""

    def to_representation(self, value):
        return variant_key(value)


class BenchmarkSlugField(serializers.CharField):
    """A benchmark read and written as its slug."""

    def to_representation(self, value):
        return value.slug


class BenchmarkSerializer(ServiceModelSerializer):
    derived_from = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Benchmark.objects.all(),
        allow_null=True,
        required=False,
    )
    scale_min = PrintedNumberField(required=False)
    scale_max = PrintedNumberField(required=False)
    result_count = serializers.IntegerField(read_only=True)
    variant_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Benchmark
        fields = [
            *BENCHMARK_FIELDS,
            "derived_from",
            "result_count",
            "variant_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class BenchmarkBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Benchmark
        fields = ["slug", "name", "name_zh", "category", "metric", "higher_is_better", "private"]


class ResultSerializer(serializers.ModelSerializer):
    """A result as its source reports it. Written with ``variant`` as a variant key and
    ``benchmark`` as a slug; ``reported_by: internal`` marks the company's own run (visible to
    signed-in staff only). ``setting`` describes the setting in words and ``comparable_key``
    is equal for exactly the results that may be compared."""

    variant = VariantKeyField(max_length=320)
    variant_name = serializers.CharField(source="variant.name", read_only=True)
    benchmark = BenchmarkSlugField(max_length=80)
    value = PrintedNumberField()
    setting = serializers.SerializerMethodField()
    comparable_key = serializers.CharField(read_only=True)

    class Meta:
        model = Result
        # The fields every write path names (evaluations.services.RESULT_FIELDS), and what
        # a read adds.
        fields = [
            "id",
            "variant_name",
            *RESULT_FIELDS,
            "setting",
            "comparable_key",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        # Duplicates are refused by the write path (evaluations.services.result_build) with
        # one message naming what repeats; DRF's validator would make every field of the
        # unique constraint required.
        validators: list = []
        extra_kwargs = {
            name: {"required": False}
            for name in ("sampling", "checkpoint", "source_url", "source_title", "date")
        }

    def get_setting(self, result) -> str:
        return setting_text(result)

    def to_internal_value(self, data):
        # An unknown or read-only field is named first: a typo must not pass silently.
        if hasattr(data, "keys"):
            unknown = sorted(
                str(name) for name in data if name not in self.fields or self.fields[name].read_only
            )
            if unknown:
                raise serializers.ValidationError({unknown[0]: [UNKNOWN_FIELD]})
        return super().to_internal_value(data)

    def validate(self, attrs):
        # Every value goes through the one write path (evaluations.services.result_build):
        # an unknown variant or benchmark, a value outside the scale, a duplicate → 400.
        values = {}
        if self.instance is not None:
            current = self.to_representation(self.instance)
            values = {name: current.get(name) for name in RESULT_FIELDS}
            values["value"] = self.instance.value
        values.update({name: attrs[name] for name in RESULT_FIELDS if name in attrs})
        request = self.context.get("request")
        try:
            self._built = result_build(
                values=values,
                variants=variant_index(),
                benchmarks={b.slug: b for b in Benchmark.objects.all()},
                instance=self.instance,
                user=getattr(request, "user", None),
            )
        except ResultInputError as exc:
            raise serializers.ValidationError(
                {exc.field or "non_field_errors": [exc.message]}
            ) from None
        return attrs

    def create(self, validated_data):
        self._built.save()
        return self._built

    def update(self, instance, validated_data):
        self._built.save()
        return self._built


class BestFitQuerySerializer(serializers.Serializer):
    """The parameters of GET /api/v1/best-fit/ (besides the variant list's filters, such as
    ``commercial_use`` and ``license_allowed_in``, which narrow the models)."""

    accelerator = serializers.CharField(required=False, help_text=_("accelerator slug"))
    count = serializers.IntegerField(required=False, min_value=1, help_text=_("accelerators"))
    profile = serializers.CharField(required=False, help_text=_("hardware profile slug"))
    precision = serializers.CharField(required=False, help_text=_("precision key, e.g. fp8"))
    context_tokens = serializers.CharField(required=False, help_text=_("e.g. 32768 or 32K"))
    workload = serializers.CharField(required=False)
    batch = serializers.IntegerField(required=False, min_value=1)
    kv_dtype = serializers.CharField(required=False)
    benchmark = serializers.CharField(required=False, help_text=_("benchmark slug"))
    category = serializers.CharField(required=False, help_text=_("benchmark category"))
    setting = serializers.CharField(required=False, help_text=_("a comparable_key"))
    open_weights = serializers.BooleanField(required=False)


class SettingGroupSerializer(serializers.Serializer):
    comparable_key = serializers.CharField(source="key")
    setting = serializers.SerializerMethodField()
    results = serializers.IntegerField(source="count")
    stated = serializers.BooleanField()

    def get_setting(self, group) -> str:
        return setting_text(group.example)


class BestFitPointSerializer(serializers.Serializer):
    variant = serializers.CharField(source="key")
    name = serializers.CharField(source="variant.name")
    memory_bytes = serializers.IntegerField(source="row.memory_bytes")
    per_accelerator_bytes = serializers.IntegerField(source="row.fit.per_device_bytes")
    value = PrintedNumberField(source="result.value")
    on_frontier = serializers.BooleanField()
    result = serializers.IntegerField(source="result.pk")
    reported_by = serializers.CharField(source="result.reported_by")
    source_url = serializers.CharField(source="result.source_url")


class BestFitSerializer(serializers.Serializer):
    hardware = serializers.CharField(source="spec.name")
    benchmark = BenchmarkBriefSerializer(source="answer.benchmark", allow_null=True)
    comparable_key = serializers.CharField(source="answer.setting_key")
    setting = serializers.CharField(source="answer.setting")
    setting_stated = serializers.BooleanField(
        source="answer.setting_stated",
        help_text=_(
            "False when the sources state none of the setting: the results share a key, and "
            "nothing shows they were obtained alike."
        ),
    )
    settings = SettingGroupSerializer(source="answer.groups", many=True)
    points = BestFitPointSerializer(source="answer.points", many=True)
    not_fitting = serializers.IntegerField(source="answer.not_fitting")
    without_architecture = serializers.IntegerField(source="answer.without_architecture")
