"""What the adoption layer's serializers share: strict writes (an unknown field or a NUL is a
400 naming it), a service's errors as DRF's, and records read and written by their keys."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.keys import variant_key, version_key
from catalog.models import ModelVariant, ModelVersion
from core.api.serializers import NUL_REFUSED
from core.jsonsafe import NUL, unstorable

# Error messages users see (constants: the tests assert on them).
UNKNOWN_FIELD = _("Unknown or read-only field.")
NO_SUCH_VARIANT = _("No model “%(key)s”: give family/version/variant.")
NO_SUCH_VERSION = _("No version “%(key)s”: give family/version.")
NO_SUCH_PROFILE = _("No hardware profile “%(slug)s”.")


class StrictFieldsMixin:
    """An unknown or read-only field in a write is a 400 naming it: a typo must not pass. A NUL
    anywhere in a value is a 400 naming its field before any query (PostgreSQL cannot hold it
    in text, and a lookup with it would fail)."""

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            unknown = sorted(
                str(name) for name in data if name not in self.fields or self.fields[name].read_only
            )
            if unknown:
                raise serializers.ValidationError({unknown[0]: [UNKNOWN_FIELD]})
            items = data.lists() if hasattr(data, "lists") else data.items()
            refused = {name: [NUL_REFUSED] for name, value in items if unstorable(value) == NUL}
            if refused:
                raise serializers.ValidationError(refused)
        return super().to_internal_value(data)


def service_errors(exc: DjangoValidationError) -> serializers.ValidationError:
    """A service's field-keyed errors as DRF's (``__all__`` as ``non_field_errors``)."""
    if not hasattr(exc, "error_dict"):
        return serializers.ValidationError({"non_field_errors": exc.messages})
    return serializers.ValidationError(
        {
            "non_field_errors" if name == "__all__" else name: messages
            for name, messages in exc.message_dict.items()
        }
    )


class KeyRelatedField(serializers.RelatedField):
    """A record read and written as its key, its slugs joined by "/": ``key_lookups`` are the
    lookups of the key's parts, in order; ``not_found`` the message for a key that names
    none."""

    key_lookups: tuple[str, ...] = ()
    not_found = NO_SUCH_VARIANT

    def to_internal_value(self, data):
        parts = str(data).strip().strip("/").split("/")
        found = None
        if len(parts) == len(self.key_lookups):
            lookups = dict(zip(self.key_lookups, parts, strict=True))
            found = self.get_queryset().filter(**lookups).first()
        if found is None:
            raise serializers.ValidationError(self.not_found % {"key": str(data)[:200]})
        return found


@extend_schema_field(OpenApiTypes.STR)
class VariantKeyRelatedField(KeyRelatedField):
    """A variant read and written as its key, ``family/version/variant`` (drafts included:
    the write paths refuse a draft with their own message)."""

    key_lookups = ("version__family__slug", "version__slug", "slug")
    not_found = NO_SUCH_VARIANT

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", ModelVariant.objects.select_related("version__family"))
        super().__init__(**kwargs)

    def to_representation(self, value):
        return variant_key(value)


@extend_schema_field(OpenApiTypes.STR)
class VersionKeyRelatedField(KeyRelatedField):
    """A version read and written as its key, ``family/version``."""

    key_lookups = ("family__slug", "slug")
    not_found = NO_SUCH_VERSION

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", ModelVersion.objects.select_related("family"))
        super().__init__(**kwargs)

    def to_representation(self, value):
        return version_key(value)


class UsernameField(serializers.CharField):
    """A user (read only) as their username."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        return value.get_username()
