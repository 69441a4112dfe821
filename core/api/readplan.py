"""The read side of a serializer, compiled once per class.

DRF builds a ModelSerializer's fields again for every request (deep copies, model field
introspection) and dispatches through ``get_attribute``/``to_representation`` for each field of
each row. For reads of many rows that is most of the time spent outside the database. A
:class:`ReadPlan` walks the serializer's fields once and keeps, per field, its source path and
a converter; it then turns instances into the very dicts ``serializer.data`` would give (a
test compares both over the whole curated catalog). Writes keep using the serializers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import Manager
from rest_framework import fields as drf_fields
from rest_framework import serializers
from rest_framework.relations import PKOnlyObject
from rest_framework.response import Response

from core.api.serializers import BriefRelatedField

# Fields whose ``to_representation`` is one builtin call on a non-null value.
_DIRECT: dict[type, Callable[[Any], Any]] = {
    drf_fields.CharField: str,
    drf_fields.SlugField: str,
    drf_fields.URLField: str,
    drf_fields.EmailField: str,
    drf_fields.IntegerField: int,
    drf_fields.FloatField: float,
    drf_fields.ReadOnlyField: lambda value: value,
}


def _identity(value):
    return value


def _boolean(field: drf_fields.BooleanField) -> Callable[[Any], Any]:
    true_values, false_values = field.TRUE_VALUES, field.FALSE_VALUES

    def convert(value):
        if value is True or value is False:
            return value
        if value in true_values:
            return True
        if value in false_values:
            return False
        return bool(value)

    return convert


def _converter(field: drf_fields.Field) -> Callable[[Any], Any]:
    """A function of a non-null attribute giving what ``field.to_representation`` gives."""
    if isinstance(field, BriefRelatedField):
        return ReadPlan(field.brief_serializer()).row
    if isinstance(field, serializers.ListSerializer):
        child = ReadPlan(field.child).row

        def many(value):
            if isinstance(value, Manager):
                value = value.all()
            return [child(item) for item in value]

        return many
    if isinstance(field, serializers.BaseSerializer):
        return ReadPlan(field).row
    if type(field) is drf_fields.BooleanField:
        return _boolean(field)
    if type(field) is drf_fields.JSONField and not field.binary:
        return _identity
    direct = _DIRECT.get(type(field))
    if direct is not None:
        return direct
    return field.to_representation


def _related(field: serializers.RelatedField) -> Callable[[Any], Any]:
    """DRF's own two steps, for relations that read differently from plain attributes
    (primary keys without loading the row, many-to-many managers)."""

    def step(instance):
        attribute = field.get_attribute(instance)
        check = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
        return None if check is None else field.to_representation(attribute)

    return step


class ReadPlan:
    """``ReadPlan(serializer).rows(instances)`` == ``serializer_class(instances, many=True).data``
    for read-only use."""

    def __init__(self, serializer: serializers.BaseSerializer):
        self.steps: list[tuple[str, Callable[[Any], Any]]] = []
        for name, field in serializer.fields.items():
            if field.write_only:
                continue
            self.steps.append((name, self._step(field)))

    @staticmethod
    def _step(field: drf_fields.Field) -> Callable[[Any], Any]:
        if isinstance(field, serializers.SerializerMethodField):
            # Bound to the plan's own serializer instance, which has no request context.
            return getattr(field.parent, field.method_name)
        if isinstance(field, serializers.ManyRelatedField | serializers.RelatedField) and not (
            isinstance(field, serializers.SlugRelatedField)
        ):
            return _related(field)
        convert = _converter(field)
        source = tuple(field.source_attrs)
        if not source:  # source="*": the whole instance
            return convert
        if len(source) == 1:
            attribute = source[0]

            def one(instance):
                value = getattr(instance, attribute)
                return None if value is None else convert(value)

            return one

        def path(instance):
            value = instance
            for attribute in source:
                value = getattr(value, attribute)
                if value is None:
                    return None
            return convert(value)

        return path

    def row(self, instance) -> dict[str, Any]:
        return {name: step(instance) for name, step in self.steps}

    def rows(self, instances: Iterable) -> list[dict[str, Any]]:
        row = self.row
        return [row(instance) for instance in instances]


_PLANS: dict[type, ReadPlan] = {}


def read_plan(serializer_class: type[serializers.BaseSerializer]) -> ReadPlan:
    """The plan of ``serializer_class``, built at its first use in the process."""
    plan = _PLANS.get(serializer_class)
    if plan is None:
        plan = _PLANS[serializer_class] = ReadPlan(serializer_class())
    return plan


class PlannedReadMixin:
    """List and detail GETs of a viewset rendered through the serializer's :class:`ReadPlan`
    (the same JSON, without DRF's per-request field building and per-field dispatch)."""

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        plan = read_plan(self.get_serializer_class())
        page = self.paginate_queryset(queryset)
        if page is not None:
            return self.get_paginated_response(plan.rows(page))
        return Response(plan.rows(queryset))

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        return Response(read_plan(self.get_serializer_class()).row(instance))
