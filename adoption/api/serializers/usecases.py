"""Use cases in the API: the uses the company defines and the licence questions they imply."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from adoption.api.serializers.common import StrictFieldsMixin, service_errors
from adoption.models import UseCase
from adoption.services.approvals import USE_CASE_FIELDS, use_case_upsert


class UseCaseSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    """A use the company defines and the licence questions it implies."""

    class Meta:
        model = UseCase
        fields = ["id", *USE_CASE_FIELDS, "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]

    def create(self, validated_data):
        return self._upsert(None, validated_data)

    def update(self, instance, validated_data):
        return self._upsert(instance, validated_data)

    def _upsert(self, instance, validated_data):
        try:
            return use_case_upsert(use_case=instance, **validated_data)
        except DjangoValidationError as exc:
            raise service_errors(exc) from None
