"""Deployments in the API: where a variant runs inside the company."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from adoption.api.serializers.common import (
    StrictFieldsMixin,
    VariantKeyRelatedField,
    service_errors,
)
from adoption.models import Deployment
from adoption.models.deployments import HEALTH_FIELDS
from adoption.services.deployments import DEPLOYMENT_FIELDS, deployment_upsert
from hardware.models import HardwareProfile


class DeploymentSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    """Where a variant runs inside the company. The health fields are the health check's
    (read only)."""

    variant = VariantKeyRelatedField()
    profile = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=HardwareProfile.objects.all(),
        required=False,
        allow_null=True,
    )

    api_key_set = serializers.SerializerMethodField(
        help_text=_("Whether the deployment holds an API key for its health check.")
    )

    class Meta:
        model = Deployment
        fields = [
            "id",
            *DEPLOYMENT_FIELDS,
            "api_key_set",
            *HEALTH_FIELDS,
            "created_at",
            "updated_at",
        ]
        read_only_fields = [*HEALTH_FIELDS, "created_at", "updated_at"]
        # Written (an empty string removes it), never answered: api_key_set says if one is held.
        extra_kwargs = {"api_key": {"write_only": True}}

    def get_api_key_set(self, deployment) -> bool:
        return bool(deployment.api_key)

    def create(self, validated_data):
        return self._upsert(None, validated_data)

    def update(self, instance, validated_data):
        return self._upsert(instance, validated_data)

    def _upsert(self, instance, validated_data):
        try:
            return deployment_upsert(deployment=instance, **validated_data)
        except DjangoValidationError as exc:
            raise service_errors(exc) from None
