"""core/extensions.py: how an app higher in the layers adds to a lower app's pages and
FilterSets, and what the hardware app adds through it."""

from collections import defaultdict

import django_filters
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import QueryDict

from catalog.filters import VariantFilterSet
from catalog.models import ModelVariant
from core import extensions
from core.extensions import add_page_context, extend_filterset, page_context, page_providers
from hardware import extensions as hardware_extensions
from hardware.filters import VARIANT_FITS_FILTERS


@pytest.fixture
def no_providers(monkeypatch):
    """An empty registry for the test, the apps' registrations left as they were."""
    monkeypatch.setattr(extensions, "_providers", defaultdict(list))


@pytest.fixture
def filterset_class():
    """A FilterSet of its own for each test, so that declaring a filter leaves no trace."""

    class ThingFilterSet(django_filters.FilterSet):
        name = django_filters.CharFilter()

    return ThingFilterSet


@pytest.mark.usefixtures("no_providers")
def test_page_context_merges_the_providers_in_registration_order():
    calls = []

    def first(request, **objects):
        calls.append(("first", request, objects))
        return {"shared": "first", "only_first": 1}

    def second(request, **objects):
        calls.append(("second", request, objects))
        return {"shared": "second"}

    add_page_context("page", first)
    add_page_context("page", second)
    context = page_context("page", "the request", variant="v")
    assert context == {"shared": "second", "only_first": 1}  # the later provider wins a key
    assert calls == [
        ("first", "the request", {"variant": "v"}),
        ("second", "the request", {"variant": "v"}),
    ]
    assert page_providers("page") == (first, second)


@pytest.mark.usefixtures("no_providers")
def test_registering_a_provider_twice_keeps_one():
    calls = []

    def provider(request):
        calls.append(request)
        return {"count": len(calls)}

    add_page_context("page", provider)
    add_page_context("page", provider)
    assert page_providers("page") == (provider,)
    assert page_context("page", None) == {"count": 1}
    assert calls == [None]


@pytest.mark.usefixtures("no_providers")
def test_a_page_nobody_extends_gets_nothing():
    assert page_context("nobody-extends-this", None) == {}
    assert page_providers("nobody-extends-this") == ()


def test_extend_filterset_declares_a_filter_as_if_in_the_class_body(filterset_class):
    def read(queryset, name, value):
        return queryset

    added = django_filters.NumberFilter(method=read)
    extend_filterset(filterset_class, size=added)
    assert filterset_class.base_filters["size"] is added
    assert filterset_class.declared_filters["size"] is added
    assert added.field_name == "size"
    assert list(filterset_class.base_filters) == ["name", "size"]


def test_extending_twice_with_the_same_filter_changes_nothing(filterset_class):
    added = django_filters.CharFilter()
    extend_filterset(filterset_class, other=added)
    extend_filterset(filterset_class, other=added)
    assert list(filterset_class.base_filters) == ["name", "other"]


def test_two_filters_of_one_name_are_a_configuration_error(filterset_class):
    with pytest.raises(ImproperlyConfigured, match="ThingFilterSet already has a filter named"):
        extend_filterset(filterset_class, name=django_filters.CharFilter())
    extend_filterset(filterset_class, other=django_filters.CharFilter())
    with pytest.raises(ImproperlyConfigured, match="'other'"):
        extend_filterset(filterset_class, other=django_filters.CharFilter())


def test_the_hardware_app_adds_the_fits_filters_to_the_catalogs_variant_filterset():
    for name in ("fits", "fits_precision", "fits_context"):
        assert VariantFilterSet.base_filters[name] is VARIANT_FITS_FILTERS[name]
    form = VariantFilterSet(
        QueryDict("fits=1x-h100,2x-h100&fits_precision=fp8"), queryset=ModelVariant.objects.none()
    ).form
    assert form.is_valid(), form.errors
    assert form.cleaned_data["fits"] == ["1x-h100", "2x-h100"]
    assert form.cleaned_data["fits_precision"] == "fp8"


def test_the_hardware_app_adds_its_rows_to_the_catalogs_pages():
    assert hardware_extensions.home_stats in page_providers("home")
    assert hardware_extensions.variant_fits in page_providers("variant_detail")
    assert hardware_extensions.compare_fits in page_providers("compare")


def test_registering_the_hardware_app_again_adds_nothing():
    before = {page: page_providers(page) for page in ("home", "variant_detail", "compare")}
    filters = dict(VariantFilterSet.base_filters)
    hardware_extensions.register()
    assert {page: page_providers(page) for page in before} == before
    assert VariantFilterSet.base_filters == filters
