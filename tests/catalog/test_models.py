import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from catalog.models import ModelVariant, ModelVersion
from catalog.models.variants import (
    ACTIVE_EXCEEDS_TOTAL,
    ACTIVE_WITHOUT_MOE,
    EXPERTS_PER_TOKEN_EXCEED,
    KV_HEADS_NOT_DIVISOR,
    MOE_FIELDS_INCOMPLETE,
)
from catalog.models.versions import (
    MAX_CONTEXT_BELOW_DEFAULT,
    PREDECESSOR_OTHER_FAMILY,
    RELEASE_DATE_IN_FUTURE,
)
from licenses.models import MAU_WITHOUT_CONDITION
from tests.factories import (
    AcceleratorFactory,
    LicenseFactory,
    LineageFactory,
    VariantFactory,
    VersionFactory,
)

pytestmark = pytest.mark.django_db

MOE = {"num_experts": 8, "num_experts_per_token": 2, "moe_intermediate_size": 14336}
# Computed at import: two days ahead, so it is still in the future when a run crosses midnight.
IN_TWO_DAYS = timezone.localdate() + datetime.timedelta(days=2)


def _integrity_error(**changes):
    """Write ``changes`` past model validation: the database alone must refuse them."""
    variant = VariantFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ModelVariant.objects.filter(pk=variant.pk).update(**changes)


def _clean_errors(record) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as excinfo:
        record.full_clean()
    return excinfo.value.message_dict


@pytest.mark.parametrize(
    "changes",
    [
        {"active_parameters": 7_000_000_000, **MOE},
        {"num_kv_heads": 5},
        {"total_parameters": 0},
        {"num_layers": 0},
        {"num_experts": 8},
        {"release_date": IN_TWO_DAYS},
        {"num_experts": 2, "num_experts_per_token": 4, "moe_intermediate_size": 1},
        {"active_parameters": 1_000},
    ],
    ids=[
        "active-over-total",
        "kv-heads-not-divisor",
        "zero-parameters",
        "zero-layers",
        "moe-incomplete",
        "future-release",
        "more-experts-per-token-than-experts",
        "active-without-moe",
    ],
)
def test_database_refuses_invalid_variant(changes):
    _integrity_error(**changes)


def test_database_refuses_duplicate_variant_slug_in_one_version():
    variant = VariantFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        VariantFactory(version=variant.version, slug=variant.slug)


def test_same_variant_slug_is_allowed_in_another_version():
    variant = VariantFactory()
    assert VariantFactory(slug=variant.slug).slug == variant.slug


def test_database_refuses_version_released_in_the_future():
    version = VersionFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ModelVersion.objects.filter(pk=version.pk).update(release_date=IN_TWO_DAYS)


def test_database_refuses_duplicate_version_slug_in_one_family():
    version = VersionFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        VersionFactory(family=version.family, slug=version.slug)


def test_database_refuses_lineage_to_itself():
    variant = VariantFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        LineageFactory(parent=variant, child=variant)


def test_database_refuses_zero_accelerator_memory():
    with pytest.raises(IntegrityError), transaction.atomic():
        AcceleratorFactory(memory=0)


def test_clean_names_active_parameters_over_total():
    variant = VariantFactory.build(version=VersionFactory(), active_parameters=8_000_000_000, **MOE)
    assert _clean_errors(variant)["active_parameters"] == [str(ACTIVE_EXCEEDS_TOTAL)]


def test_clean_names_active_parameters_without_experts():
    variant = VariantFactory.build(version=VersionFactory(), active_parameters=1_000)
    assert _clean_errors(variant)["active_parameters"] == [str(ACTIVE_WITHOUT_MOE)]


def test_clean_names_kv_heads_that_do_not_divide_heads():
    variant = VariantFactory.build(version=VersionFactory(), num_kv_heads=5)
    assert _clean_errors(variant)["num_kv_heads"] == [str(KV_HEADS_NOT_DIVISOR)]


def test_clean_names_each_missing_moe_field():
    variant = VariantFactory.build(version=VersionFactory(), num_experts=8)
    errors = _clean_errors(variant)
    assert errors["num_experts_per_token"] == [str(MOE_FIELDS_INCOMPLETE)]
    assert errors["moe_intermediate_size"] == [str(MOE_FIELDS_INCOMPLETE)]


def test_clean_names_experts_per_token_over_experts():
    variant = VariantFactory.build(
        version=VersionFactory(), num_experts=2, num_experts_per_token=4, moe_intermediate_size=8
    )
    assert _clean_errors(variant)["num_experts_per_token"] == [str(EXPERTS_PER_TOKEN_EXCEED)]


def test_clean_names_future_release_date():
    variant = VariantFactory.build(version=VersionFactory(), release_date=IN_TWO_DAYS)
    assert _clean_errors(variant)["release_date"] == [str(RELEASE_DATE_IN_FUTURE)]


def test_clean_names_non_positive_size():
    variant = VariantFactory.build(version=VersionFactory(), hidden_size=0)
    assert "hidden_size" in _clean_errors(variant)


def test_clean_names_context_below_default():
    version = VersionFactory.build(
        family=VersionFactory().family,
        license=None,
        default_context_tokens=8192,
        max_context_tokens=4096,
    )
    assert _clean_errors(version)["max_context_tokens"] == [str(MAX_CONTEXT_BELOW_DEFAULT)]


def test_clean_names_predecessor_from_another_family():
    version = VersionFactory()
    version.predecessor = VersionFactory()
    assert _clean_errors(version)["predecessor"] == [str(PREDECESSOR_OTHER_FAMILY)]


def test_clean_accepts_a_complete_moe_variant():
    variant = VariantFactory.build(
        version=VersionFactory(),
        total_parameters=46_702_792_704,
        active_parameters=12_879_925_248,
        num_kv_heads=8,
        **MOE,
    )
    variant.full_clean()


def test_clean_names_mau_threshold_without_conditional_commercial_use():
    license = LicenseFactory.build(commercial_use="allowed", mau_threshold=700_000_000)
    assert _clean_errors(license)["mau_threshold"] == [str(MAU_WITHOUT_CONDITION)]
