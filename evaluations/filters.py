"""The filters of benchmarks and results, shared by the pages and the API (and the variant
list's ``score__<benchmark>__gte`` filters, added in ``evaluations/extensions.py``)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.keys import keys_condition
from core.filtering import (
    BoundedDecimalFilter,
    BoundedIntegerFilter,
    ChangedSinceFilter,
    ChoicesFilter,
    IdsFilter,
    NullsLastOrderingFilter,
    RegistryFilterSet,
    StrictBooleanFilter,
    ValuesFilter,
)
from evaluations.choices import Category, Harness, Metric, ReportedBy
from evaluations.models import Benchmark, Result


class BenchmarkFilterSet(RegistryFilterSet):
    changed_since = ChangedSinceFilter()
    q = django_filters.CharFilter(method="search", label=_("search"))
    category = ChoicesFilter(choices=Category.choices)
    metric = ChoicesFilter(choices=Metric.choices)
    language = ValuesFilter(method="filter_language", label=_("language"))
    derived_from = ValuesFilter(field_name="derived_from__slug")
    private = StrictBooleanFilter()
    higher_is_better = StrictBooleanFilter()
    ordering = NullsLastOrderingFilter(
        fields=(("name", "name"), ("category", "category"), ("result_count", "results"))
    )

    class Meta:
        model = Benchmark
        fields = ["q", "category"]

    def filter_language(self, queryset, name, values):
        return queryset.filter(languages__overlap=list(values))

    def search(self, queryset, name, value):
        text = value.strip()
        return queryset.filter(
            Q(name__icontains=text)
            | Q(name_zh__icontains=text)
            | Q(slug__icontains=text)
            | Q(description__icontains=text)
        )


class ResultFilterSet(RegistryFilterSet):
    """Results: by variant (its key), family, version, benchmark, category, who reported
    them, each setting field, value range and date."""

    changed_since = ChangedSinceFilter()
    variant = ValuesFilter(method="filter_variant", label=_("variant key"))
    variant_id = IdsFilter(field_name="variant_id")
    family = ValuesFilter(field_name="variant__version__family__slug")
    version = ValuesFilter(method="filter_version", label=_("version key"))
    organization = ValuesFilter(field_name="variant__version__family__organization__slug")
    benchmark = ValuesFilter(field_name="benchmark__slug")
    benchmark_id = IdsFilter(field_name="benchmark_id")
    category = ChoicesFilter(field_name="benchmark__category", choices=Category.choices)
    benchmark_version = ValuesFilter()
    metric = ChoicesFilter(choices=Metric.choices)
    reported_by = ChoicesFilter(choices=ReportedBy.choices)
    reporter = django_filters.CharFilter(lookup_expr="icontains")
    shots = BoundedIntegerFilter(max_value=10_000)
    chain_of_thought = StrictBooleanFilter()
    thinking = StrictBooleanFilter()
    pass_k = BoundedIntegerFilter(max_value=10_000)
    samples = BoundedIntegerFilter(max_value=10**9)
    harness = ChoicesFilter(choices=[c for c in Harness.choices if c[0]])
    harness_version = ValuesFilter()
    prompt_template = django_filters.CharFilter()
    checkpoint = django_filters.CharFilter()
    sampling = django_filters.CharFilter(lookup_expr="icontains")
    comparable_key = django_filters.CharFilter(label=_("comparability key"))
    value__gte = BoundedDecimalFilter(
        field_name="value", lookup_expr="gte", max_digits=24, decimal_places=16
    )
    value__lte = BoundedDecimalFilter(
        field_name="value", lookup_expr="lte", max_digits=24, decimal_places=16
    )
    date_after = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_before = django_filters.DateFilter(field_name="date", lookup_expr="lte")
    source_url = django_filters.CharFilter()
    ordering = NullsLastOrderingFilter(fields=("value", "date", "benchmark__name"))

    class Meta:
        model = Result
        fields = ["benchmark"]

    def filter_variant(self, queryset, name, values):
        condition = keys_condition(values, prefix="variant__", depth=3)
        return queryset.none() if condition is None else queryset.filter(condition)

    def filter_version(self, queryset, name, values):
        condition = keys_condition(values, prefix="variant__version__", depth=2)
        return queryset.none() if condition is None else queryset.filter(condition)
