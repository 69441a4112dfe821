"""Check constraints validated in one query (core/models/constraints.py): the same errors as
Django's one query per constraint, in fewer round trips."""

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection, models
from django.test.utils import CaptureQueriesContext

from catalog.models import ModelVariant
from tests.factories import AcceleratorFactory, VariantFactory

pytestmark = pytest.mark.django_db

# Together they break four check constraints of a variant: size, active over total, heads, MoE.
BROKEN = {
    "total_parameters": 0,
    "num_kv_heads": 5,
    "num_attention_heads": 32,
    "num_experts": 8,
    "active_parameters": 10**15,
}


def _django_errors(record) -> dict[str, list[str]]:
    """What Django's own ``validate_constraints`` says: one query per constraint."""
    errors: dict = {}
    for model_class, constraints in record.get_constraints():
        for constraint in constraints:
            try:
                constraint.validate(model_class, record, using="default")
            except ValidationError as error:
                errors = error.update_error_dict(errors)
    return ValidationError(errors).message_dict if errors else {}


def _errors(record, **kwargs) -> dict[str, list[str]]:
    try:
        record.validate_constraints(**kwargs)
    except ValidationError as error:
        return error.message_dict
    return {}


def test_a_record_breaking_several_check_constraints_gets_djangos_errors_in_its_order():
    variant = VariantFactory()
    for field, value in BROKEN.items():
        setattr(variant, field, value)
    errors = _errors(variant)
    assert errors == _django_errors(variant)
    assert len(errors[NON_FIELD_ERRORS]) == 4


def test_a_valid_record_passes_and_a_null_condition_counts_as_passed():
    variant = VariantFactory(num_kv_heads=None, release_date=None)
    assert _errors(variant) == {} == _django_errors(variant)


def test_every_check_constraint_of_a_record_costs_one_query_in_one_savepoint():
    variant = VariantFactory()
    checks = [c for c in ModelVariant._meta.constraints if isinstance(c, models.CheckConstraint)]
    assert len(checks) > 10
    with CaptureQueriesContext(connection) as queries:
        variant.validate_constraints()
    selects = [q["sql"] for q in queries if "_check_" in q["sql"]]
    assert len(selects) == 1
    assert all(f"_check_{index}" in selects[0] for index in range(len(checks)))
    # the unique constraint's own query, and one savepoint for the checks
    assert len(queries) <= 4


def test_a_constraint_on_an_excluded_field_is_skipped_as_django_skips_it():
    variant = VariantFactory()
    variant.total_parameters = 0
    assert _errors(variant, exclude={"total_parameters"}) == {}
    assert NON_FIELD_ERRORS in _errors(variant)


def test_other_curated_models_keep_their_messages():
    accelerator = AcceleratorFactory()
    accelerator.memory = 0
    assert _errors(accelerator) == _django_errors(accelerator) != {}
