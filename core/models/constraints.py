"""Check constraints validated in one query per record instead of one per constraint.

Django validates each ``CheckConstraint`` of a model with a query of its own (``Q.check``:
``SELECT 1 WHERE <condition>`` on the instance's values), inside a savepoint of its own when a
transaction is open: three round trips per constraint. A variant has 21 check constraints, so
its ``full_clean()`` made 63 round trips for them alone, and they were 40 % of a catalog load.
``OneQueryCheckConstraints`` evaluates every check constraint of a record in one ``SELECT``
(one boolean column per constraint, NULL counting as passed, as in Django) inside one
savepoint. The errors are those Django raises, in its order; a constraint whose condition
names an excluded field is skipped, as Django skips it.
"""

from __future__ import annotations

import logging
from contextlib import nullcontext

from django.core.exceptions import FieldError, ValidationError
from django.db import DatabaseError, connections, models, router, transaction
from django.db.models.functions import Coalesce
from django.db.models.sql import Query
from django.db.models.sql.constants import SINGLE

logger = logging.getLogger(__name__)


def failed_check_constraints(
    instance: models.Model,
    model: type[models.Model],
    constraints: list[models.CheckConstraint],
    *,
    exclude: set[str] | None,
    using: str,
) -> set[int] | None:
    """The ``id()`` of each of ``constraints`` that ``instance`` breaks, from one query;
    ``None`` when the database could not evaluate them together (the caller then asks
    Django, one by one)."""
    # The instance's values as expressions, what CheckConstraint.validate() evaluates.
    against = instance._get_field_expression_map(  # type: ignore[attr-defined]
        meta=model._meta, exclude=exclude
    )
    query = Query(None)
    for name, value in against.items():
        if not hasattr(value, "resolve_expression"):
            value = models.Value(value)
        query.add_annotation(value, name, select=False)
    checked = []
    for index, constraint in enumerate(constraints):
        passed = Coalesce(models.Q(constraint.condition), True, output_field=models.BooleanField())
        try:
            query.add_annotation(passed, f"_check_{index}")
        except FieldError:
            continue  # names a field left out of this validation: Django skips it too
        checked.append(constraint)
    if not checked:
        return set()
    connection = connections[using]
    compiler = query.get_compiler(using=using)
    try:
        with transaction.atomic(using=using) if connection.in_atomic_block else nullcontext():
            row = compiler.execute_sql(SINGLE)
    except DatabaseError as error:
        logger.warning("Checking the constraints of %r together failed: %s", instance, error)
        return None
    return {id(constraint) for constraint, passed in zip(checked, row, strict=True) if not passed}


class OneQueryCheckConstraints(models.Model):
    """Abstract: ``validate_constraints()`` as Django's, with the check constraints of each
    model evaluated in one query."""

    class Meta:
        abstract = True

    def validate_constraints(self, exclude=None):
        using = router.db_for_write(self.__class__, instance=self)
        errors: dict = {}
        for model_class, model_constraints in self.get_constraints():
            checks = [c for c in model_constraints if isinstance(c, models.CheckConstraint)]
            failed = (
                failed_check_constraints(self, model_class, checks, exclude=exclude, using=using)
                if checks
                else set()
            )
            for constraint in model_constraints:
                try:
                    if isinstance(constraint, models.CheckConstraint) and failed is not None:
                        if id(constraint) in failed:
                            raise ValidationError(
                                constraint.get_violation_error_message(),
                                code=constraint.violation_error_code,
                            )
                    else:
                        constraint.validate(model_class, self, exclude=exclude, using=using)
                except ValidationError as error:
                    fields: tuple[str, ...] = tuple(getattr(constraint, "fields", ()))
                    if getattr(error, "code", None) == "unique" and len(fields) == 1:
                        errors.setdefault(fields[0], []).append(error)
                    else:
                        errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)
