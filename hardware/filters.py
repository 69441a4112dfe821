"""FilterSets of the hardware app, and the ``fits`` filters it adds to the catalog's
VariantFilterSet (registered in hardware/extensions.py): one FilterSet per model, shared by the
API, the HTML pages and MCP."""

import django_filters
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES

from catalog.filters import FIT_PRECISIONS
from catalog.precision_labels import precision_choices
from core.filtering import (
    BoundedDecimalFilter,
    BoundedIntegerFilter,
    ChangedSinceFilter,
    ChoicesFilter,
    NullsLastOrderingFilter,
    RegistryFilterSet,
    StrictBooleanFilter,
    ValuesFilter,
    full_text_search,
)
from hardware.choices import FormFactor
from hardware.models import Accelerator, HardwareProfile, Recommendation, SizeTier, Workload

# What ``fits`` asks without ``fits_precision`` or ``fits_context``: the first point of the
# recommendation grid (hardware/services.py), which every variant with numbers has.
FITS_DEFAULT_PRECISION = "bf16"
FITS_DEFAULT_CONTEXT = 4096


def variants_fitting(queryset, profiles: list[str], *, precision: str, context_tokens: int):
    """Variants whose stored inference recommendation at ``precision`` and ``context_tokens``
    (one sequence) fits any of ``profiles`` (slugs): a subquery, no join that repeats a row."""
    fitting = Recommendation.objects.filter(
        variant=OuterRef("pk"),
        workload="inference",
        precision=precision,
        context_tokens=context_tokens,
        fitting_profiles__overlap=profiles,
    )
    return queryset.filter(Exists(fitting))


class FitsFilter(ValuesFilter):
    """``fits``: hardware profile slugs, any of them. A filter rather than a ``method``: it
    reads ``fits_precision`` and ``fits_context`` from the same query, which a method callable
    (given the queryset, the name and the value only) cannot see."""

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        options = self.parent.form.cleaned_data
        return variants_fitting(
            qs,
            value,
            precision=options.get("fits_precision") or FITS_DEFAULT_PRECISION,
            context_tokens=options.get("fits_context") or FITS_DEFAULT_CONTEXT,
        )


def read_by_fits(queryset, name, value):
    """``fits_precision`` and ``fits_context`` filter nothing on their own: ``fits`` reads
    them."""
    return queryset


# Added to catalog.filters.VariantFilterSet by hardware/extensions.py. One instance of each, so
# that registering twice declares nothing new.
VARIANT_FITS_FILTERS = {
    "fits": FitsFilter(label=_("fits hardware profile")),
    "fits_precision": django_filters.ChoiceFilter(choices=FIT_PRECISIONS, method=read_by_fits),
    "fits_context": BoundedIntegerFilter(method=read_by_fits),
}


class AcceleratorFilterSet(RegistryFilterSet):
    changed_since = ChangedSinceFilter()
    q = django_filters.CharFilter(method="search", label=_("search"))
    vendor = ValuesFilter()
    form = ChoicesFilter(choices=FormFactor.choices)
    memory_gib__gte = BoundedDecimalFilter(field_name="memory_gib", lookup_expr="gte")
    memory_gib__lte = BoundedDecimalFilter(field_name="memory_gib", lookup_expr="lte")
    memory_bandwidth_gbps__gte = BoundedDecimalFilter(
        field_name="memory_bandwidth_gbps", lookup_expr="gte"
    )
    bf16_dense_tflops__gte = BoundedDecimalFilter(field_name="bf16_dense_tflops", lookup_expr="gte")
    supports_fp8 = StrictBooleanFilter()
    supports_int4 = StrictBooleanFilter()
    release_year__gte = BoundedIntegerFilter(field_name="release_year", lookup_expr="gte")
    ordering = NullsLastOrderingFilter(
        fields=(
            "name",
            "vendor",
            "memory_gib",
            "memory_bandwidth_gbps",
            "bf16_dense_tflops",
            "release_year",
        )
    )

    class Meta:
        model = Accelerator
        fields = ["q", "vendor", "form"]

    def search(self, queryset, name, value):
        return full_text_search(
            queryset, value, vector_fields=("name", "vendor"), names=("name", "vendor", "slug")
        )


class ProfileFilterSet(RegistryFilterSet):
    changed_since = ChangedSinceFilter()
    accelerator = ValuesFilter(field_name="accelerator__slug")
    vendor = ValuesFilter(field_name="accelerator__vendor")
    form = ChoicesFilter(field_name="accelerator__form", choices=FormFactor.choices)
    count = BoundedIntegerFilter()
    count__lte = BoundedIntegerFilter(field_name="count", lookup_expr="lte")
    ordering = NullsLastOrderingFilter(fields=("name", "count"))

    class Meta:
        model = HardwareProfile
        fields = ["accelerator", "count"]


class SizeTierFilterSet(RegistryFilterSet):
    changed_since = ChangedSinceFilter()
    ordering = NullsLastOrderingFilter(fields=("parameters_billion",))

    class Meta:
        model = SizeTier
        fields = []


class RecommendationFilterSet(RegistryFilterSet):
    variant = ValuesFilter(field_name="variant__slug")
    family = ValuesFilter(field_name="variant__version__family__slug")
    workload = ChoicesFilter(choices=Workload.choices)
    precision = ChoicesFilter(choices=precision_choices())
    context = BoundedIntegerFilter(field_name="context_tokens")
    fits = ValuesFilter(field_name="fitting_profiles", lookup_expr="overlap", method="fits_any")
    total_bytes__lte = BoundedIntegerFilter(field_name="total_bytes", lookup_expr="lte")
    estimator_version = ValuesFilter()
    ordering = NullsLastOrderingFilter(
        fields=("total_bytes", "context_tokens", "decode_tokens_per_s")
    )

    class Meta:
        model = Recommendation
        fields = ["variant", "workload", "precision"]

    def fits_any(self, queryset, name, values):
        return queryset.filter(fitting_profiles__overlap=values)
