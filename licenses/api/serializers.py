from licenses.models import License
from llmregistry.api.serializers import CitationSerializer, ServiceModelSerializer


class LicenseSerializer(ServiceModelSerializer):
    class Meta:
        model = License
        fields = [
            "slug",
            "spdx_id",
            "name",
            "name_zh",
            "version",
            "url",
            "kind",
            "summary",
            "summary_zh",
            "commercial_use",
            "mau_threshold",
            "attribution_required",
            "naming_requirement",
            "patent_grant",
            "modification_allowed",
            "redistribution_allowed",
            "share_alike",
            "outputs_train_other_models",
            "acceptable_use_policy_url",
            "registration_required",
            "status",
            "seed_claim",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class LicenseDetailSerializer(LicenseSerializer):
    """A licence with the clauses behind its terms (citations with quotes)."""

    sources = CitationSerializer(source="citations", many=True, read_only=True)

    class Meta(LicenseSerializer.Meta):
        fields = [*LicenseSerializer.Meta.fields, "sources"]
