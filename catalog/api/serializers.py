from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.api.citations import CitationSerializer, with_sources
from catalog.effective import effective_context_tokens
from catalog.ingest.parse.common import ARCHITECTURE_FIELDS
from catalog.keys import variant_key, version_key
from catalog.models import (
    ArchitectureFeature,
    ModelFamily,
    ModelVariant,
    ModelVersion,
    Organization,
)
from catalog.services import version_features_set
from core.api.serializers import BriefRelatedField, ServiceModelSerializer
from licenses.models import License

CURATED_FIELDS = ["status", "seed_claim", "created_at", "updated_at"]


class OrganizationBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["slug", "name", "name_zh", "country"]


class FamilyBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = ModelFamily
        fields = ["slug", "name", "name_zh"]


class LicenseBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = License
        fields = [
            "slug",
            "name",
            "spdx_id",
            "kind",
            "commercial_use",
            "mau_threshold",
            "outputs_train_other_models",
        ]


@extend_schema_field(OpenApiTypes.STR)
class VersionKeyField(serializers.RelatedField):
    """A version as ``family/version``."""

    default_error_messages = {
        "does_not_exist": "No version '{value}' (family/version).",
        "invalid": "Expected 'family/version'.",
    }

    def to_representation(self, value):
        return version_key(value)

    def to_internal_value(self, data):
        if not isinstance(data, str) or data.count("/") != 1:
            self.fail("invalid")
        family, slug = data.split("/")
        version = self.get_queryset().filter(family__slug=family, slug=slug).first()
        if version is None:
            self.fail("does_not_exist", value=data)
        return version


class VersionBriefSerializer(serializers.ModelSerializer):
    """A version in brief; ``key`` is ``family/version``."""

    key = serializers.SerializerMethodField()

    class Meta:
        model = ModelVersion
        fields = ["key", "slug", "name", "name_zh", "release_date", "release_date_precision"]

    def get_key(self, version) -> str:
        return version_key(version)


class VersionBriefField(BriefRelatedField):
    """A version written as ``family/version`` and read in brief."""

    default_error_messages = VersionKeyField.default_error_messages

    def __init__(self, **kwargs):
        super().__init__(VersionBriefSerializer, **kwargs)

    def to_internal_value(self, data):
        return VersionKeyField.to_internal_value(self, data)


class OrganizationSerializer(ServiceModelSerializer):
    class Meta:
        model = Organization
        fields = [
            "slug",
            "name",
            "name_zh",
            "country",
            "kind",
            "website",
            "description",
            "description_zh",
            *CURATED_FIELDS,
        ]
        read_only_fields = ["created_at", "updated_at"]


OrganizationDetailSerializer = with_sources(OrganizationSerializer)


class FamilySerializer(ServiceModelSerializer):
    organization = BriefRelatedField(
        OrganizationBriefSerializer, queryset=Organization.objects.all()
    )

    class Meta:
        model = ModelFamily
        fields = [
            "slug",
            "name",
            "name_zh",
            "organization",
            "aliases",
            "website",
            "description",
            "description_zh",
            *CURATED_FIELDS,
        ]
        read_only_fields = ["created_at", "updated_at"]


FamilyDetailSerializer = with_sources(FamilySerializer)


class FeatureSerializer(ServiceModelSerializer):
    parent = serializers.SlugRelatedField(
        slug_field="slug",
        allow_null=True,
        required=False,
        queryset=ArchitectureFeature.objects.all(),
    )

    class Meta:
        model = ArchitectureFeature
        fields = [
            "slug",
            "name",
            "name_zh",
            "category",
            "parent",
            "derivable",
            "description",
            "description_zh",
            "paper_url",
            *CURATED_FIELDS,
        ]
        read_only_fields = ["created_at", "updated_at"]


FeatureDetailSerializer = with_sources(FeatureSerializer)


class VersionSerializer(ServiceModelSerializer):
    key = serializers.SerializerMethodField()
    family = BriefRelatedField(FamilyBriefSerializer, queryset=ModelFamily.objects.all())
    organization = OrganizationBriefSerializer(source="family.organization", read_only=True)
    license = BriefRelatedField(
        LicenseBriefSerializer, queryset=License.objects.all(), allow_null=True, required=False
    )
    predecessor = VersionKeyField(
        queryset=ModelVersion.objects.select_related("family"), allow_null=True, required=False
    )
    features = serializers.SlugRelatedField(
        slug_field="slug", many=True, required=False, queryset=ArchitectureFeature.objects.all()
    )

    class Meta:
        model = ModelVersion
        fields = [
            "key",
            "slug",
            "name",
            "name_zh",
            "family",
            "organization",
            "aliases",
            "release_date",
            "release_date_precision",
            "default_context_tokens",
            "max_context_tokens",
            "training_tokens",
            "tokenizer",
            "vocab_size",
            "languages",
            "language_count",
            "modalities",
            "capabilities",
            "license",
            "features",
            "predecessor",
            "paper_url",
            "blog_url",
            "repo_url",
            "description",
            "description_zh",
            *CURATED_FIELDS,
        ]
        read_only_fields = ["created_at", "updated_at"]

    def get_key(self, version) -> str:
        return version_key(version)

    def save_many(self, instance, many):
        if "features" in many:
            version_features_set(version=instance, features=many["features"])


VersionDetailSerializer = with_sources(VersionSerializer)


class VariantSerializer(ServiceModelSerializer):
    """A variant, with its version, family, organisation and effective licence in brief.

    ``license`` is the variant's own override (written as a slug); ``effective_license`` is
    what applies (the override, else the version's licence).
    """

    key = serializers.SerializerMethodField()
    version = VersionBriefField(queryset=ModelVersion.objects.select_related("family"))
    family = FamilyBriefSerializer(source="version.family", read_only=True)
    organization = OrganizationBriefSerializer(source="version.family.organization", read_only=True)
    license = BriefRelatedField(
        LicenseBriefSerializer, queryset=License.objects.all(), allow_null=True, required=False
    )
    effective_license = serializers.SerializerMethodField()
    effective_release_date = serializers.SerializerMethodField()
    effective_release_date_precision = serializers.SerializerMethodField()
    context_tokens = serializers.SerializerMethodField()
    is_moe = serializers.SerializerMethodField()

    class Meta:
        model = ModelVariant
        fields = [
            "key",
            "slug",
            "name",
            "kind",
            "version",
            "family",
            "organization",
            "license",
            "effective_license",
            "release_date",
            "release_date_precision",
            "effective_release_date",
            "effective_release_date_precision",
            "context_tokens",
            "is_moe",
            "total_parameters",
            "active_parameters",
            "hf_repo_id",
            "modelscope_repo_id",
            "description",
            "description_zh",
            *ARCHITECTURE_FIELDS,
            *CURATED_FIELDS,
        ]
        read_only_fields = ["created_at", "updated_at"]

    def get_key(self, variant) -> str:
        return variant_key(variant)

    @extend_schema_field(LicenseBriefSerializer(allow_null=True))
    def get_effective_license(self, variant):
        license = variant.license or variant.version.license
        if license is None:
            return None
        brief = getattr(self, "_license_brief", None)
        if brief is None:
            brief = self._license_brief = LicenseBriefSerializer()
        return brief.to_representation(license)

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_effective_release_date(self, variant):
        date = variant.release_date or variant.version.release_date
        return date.isoformat() if date else None

    def get_effective_release_date_precision(self, variant) -> str:
        """day, month or year: how much of ``effective_release_date`` the sources give."""
        if variant.release_date:
            return variant.release_date_precision
        return variant.version.release_date_precision

    def get_context_tokens(self, variant) -> int | None:
        return effective_context_tokens(variant)

    def get_is_moe(self, variant) -> bool:
        return variant.num_experts is not None


class VariantDetailSerializer(VariantSerializer):
    sources = CitationSerializer(source="citations", many=True, read_only=True)
    features = serializers.SerializerMethodField()

    class Meta(VariantSerializer.Meta):
        fields = [*VariantSerializer.Meta.fields, "features", "config", "sources"]

    def get_features(self, variant) -> list[str]:
        """The version's curated architecture features."""
        return [f.slug for f in variant.version.features.all()]


class VariantKeySerializer(serializers.ModelSerializer):
    key = serializers.SerializerMethodField()
    family = serializers.CharField(source="version.family.slug")

    class Meta:
        model = ModelVariant
        fields = ["key", "slug", "name", "family"]

    def get_key(self, variant) -> str:
        return variant_key(variant)


class LineageEdgeSerializer(serializers.Serializer):
    parent = VariantKeySerializer()
    child = VariantKeySerializer()
    kind = serializers.CharField()
    note = serializers.CharField()


class LineageSerializer(serializers.Serializer):
    variant = VariantKeySerializer()
    ancestors = LineageEdgeSerializer(many=True)
    descendants = LineageEdgeSerializer(many=True)
