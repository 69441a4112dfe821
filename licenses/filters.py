import django_filters
from django.utils.translation import gettext_lazy as _

from core.filtering import (
    BoundedIntegerFilter,
    ChoicesFilter,
    NullsLastOrderingFilter,
    RegistryFilterSet,
    StrictBooleanFilter,
    ValuesFilter,
    full_text_search,
)
from licenses.choices import CommercialUse, LicenseKind, OutputsUse
from licenses.models import License

LICENSE_TEXT = ("name", "name_zh", "summary", "summary_zh")


class LicenseFilterSet(RegistryFilterSet):
    q = django_filters.CharFilter(method="search", label=_("search"))
    kind = ChoicesFilter(choices=LicenseKind.choices)
    spdx_id = ValuesFilter()
    commercial_use = ChoicesFilter(choices=CommercialUse.choices)
    mau_threshold__gte = BoundedIntegerFilter(field_name="mau_threshold", lookup_expr="gte")
    mau_threshold__lte = BoundedIntegerFilter(field_name="mau_threshold", lookup_expr="lte")
    outputs_train_other_models = ChoicesFilter(choices=OutputsUse.choices)
    attribution_required = StrictBooleanFilter()
    patent_grant = StrictBooleanFilter()
    modification_allowed = StrictBooleanFilter()
    redistribution_allowed = StrictBooleanFilter()
    share_alike = StrictBooleanFilter()
    registration_required = StrictBooleanFilter()
    ordering = NullsLastOrderingFilter(fields=("name", "slug", "mau_threshold"))

    class Meta:
        model = License
        fields = ["q", "kind", "commercial_use"]

    def search(self, queryset, name, value):
        return full_text_search(
            queryset,
            value,
            vector_fields=LICENSE_TEXT,
            names=("name", "name_zh", "slug", "spdx_id"),
        )
