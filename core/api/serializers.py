"""Serializer building blocks shared by the apps' APIs."""

import math

from django.core.validators import ProhibitNullCharactersValidator, URLValidator
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.curated_writes import curated_writes
from core.jsonsafe import NUL, unstorable

NUL_REFUSED = ProhibitNullCharactersValidator.message


class ServiceModelSerializer(serializers.ModelSerializer):
    """Writes go through the catalog's save service (full_clean, save, recompute on commit)."""

    # Subclasses without a docstring inherit the one above as their OpenAPI description: it
    # stays word for word. The save service is curation's, handed over by core/curated_writes.py.

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.URLField: None,  # set below: OptionalURLField is defined after this class
    }

    def to_internal_value(self, data):
        # A NUL reaching a query (a slug looked up by a related field, a JSON value) fails in
        # PostgreSQL, which cannot hold it in text: refuse it first, naming the fields.
        if hasattr(data, "lists"):  # a form's QueryDict: every value of every key
            items = ((name, values) for name, values in data.lists())
        elif isinstance(data, dict):
            items = data.items()
        else:
            items = ()
        refused = {name: [NUL_REFUSED] for name, value in items if unstorable(value) == NUL}
        if refused:
            raise serializers.ValidationError(refused)
        return super().to_internal_value(data)

    def create(self, validated_data):
        return self._save(self.Meta.model(), validated_data)

    def update(self, instance, validated_data):
        return self._save(instance, validated_data)

    def _save(self, instance, validated_data):
        many = {
            k: validated_data.pop(k)
            for k in list(validated_data)
            if isinstance(self.fields.get(k), serializers.ManyRelatedField)
        }
        for key, value in validated_data.items():
            setattr(instance, key, value)
        with transaction.atomic():
            curated_writes().save(record=instance)
            self.save_many(instance, many)
        return instance

    def save_many(self, instance, many):
        """Save many-to-many values (subclasses with such fields override)."""


class BriefRelatedField(serializers.SlugRelatedField):
    """A relation written as a slug and read as the related record's brief representation."""

    def __init__(self, brief_serializer, **kwargs):
        self.brief_serializer = brief_serializer
        kwargs.setdefault("slug_field", "slug")
        super().__init__(**kwargs)

    def use_pk_only_optimization(self):
        return False

    def to_representation(self, value):
        # One brief serializer per field, not one per row: building a serializer's fields is
        # the expensive part of DRF.
        brief = getattr(self, "_brief", None)
        if brief is None:
            brief = self._brief = self.brief_serializer(context=self.context)
        return brief.to_representation(value)


class OptionalURLField(serializers.CharField):
    """A URL, or an empty string where none is known (validated only when given)."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value:
            URLValidator()(value)
        return value


ServiceModelSerializer.serializer_field_mapping[models.URLField] = OptionalURLField

NOT_FINITE = _("Enter a finite number.")


class FiniteFloatField(serializers.FloatField):
    """A float that is a number: JSON's ``1e400`` (read as infinity) and the strings "NaN" and
    "Infinity" are refused. PostgreSQL would store them, and the JSON renderer could then not
    write the record back: every read of it would fail."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not math.isfinite(value):
            raise serializers.ValidationError(NOT_FINITE, code="invalid")
        return value


ServiceModelSerializer.serializer_field_mapping[models.FloatField] = FiniteFloatField
