from django_countries.serializers import CountryFieldMixin

from core.api.serializers import ServiceModelSerializer
from licenses.models import License


# A licence's terms, read and written. Its detail form, with the clause behind each term, is
# catalog/api/licenses.py: citations are catalog records, and catalog sits above licences.
class LicenseSerializer(CountryFieldMixin, ServiceModelSerializer):
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
            "territory_restricted",
            "excluded_territories",
            "status",
            "seed_claim",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        extra_kwargs = {"excluded_territories": {"required": False}}
