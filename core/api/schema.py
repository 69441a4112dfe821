"""drf-spectacular extensions: the OpenAPI schema says what the API takes and answers, as
clients generated from it need (tests/test_api_schema.py, tests/test_openapi_client.py)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes

ANY_OF_VALUES = _("Any of these values: repeat the parameter or separate the values with commas.")
ALL_OF_VALUES = _("All of these values: repeat the parameter or separate the values with commas.")


class RegistryAutoSchema(AutoSchema):
    """Operations that anonymous clients may call say so (``{}`` among their security
    requirements): drf-spectacular only knows DRF's own AllowAny and IsAuthenticatedOrReadOnly,
    and described every public read as needing a token or a session."""

    def get_auth(self):
        auths = super().get_auth()
        permissions = self.view.get_permissions()
        anonymous = bool(permissions) and all(
            getattr(permission, "allows_anonymous", lambda method: False)(self.method)
            for permission in permissions
        )
        if anonymous and {} not in auths:
            auths.append({})
        return auths


class RegistryFilterExtension(DjangoFilterExtension):
    """The FilterSets' parameters as the strict filter backend takes them.

    A multi-value filter (``ValuesFilter``, ``IdsFilter``) is annotated with the array it
    takes, and drf-spectacular wraps every multiple-choice filter in an array once more: the
    schema said "a list of lists", and a generated client sent ``[["qwen"]]``. Such a
    parameter is one array of values, sent as repeated parameters (``family=a&family=b``).
    """

    target_class = "core.api.filters.StrictFilterBackend"
    match_subclasses = True
    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        parameters = super().resolve_filter_field(
            auto_schema, model, filterset_class, field_name, filter_field
        )
        for parameter in parameters:
            schema = parameter["schema"]
            if schema.get("type") == "array" and schema["items"].get("type") == "array":
                parameter["schema"] = schema["items"]
                if not parameter.get("description"):
                    conjoined = getattr(filter_field, "conjoined", False)
                    parameter["description"] = ALL_OF_VALUES if conjoined else ANY_OF_VALUES
        return parameters


class BriefRelatedFieldExtension(OpenApiSerializerFieldExtension):
    """Requests send the slug (or key); responses carry the brief object."""

    target_class = "core.api.serializers.BriefRelatedField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        if direction == "request":
            return build_basic_type(OpenApiTypes.STR)
        component = auto_schema.resolve_serializer(self.target.brief_serializer, direction)
        return component.ref


class OptionalURLFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "core.api.serializers.OptionalURLField"

    def map_serializer_field(self, auto_schema, direction):
        return {"type": "string", "description": "A URL, or an empty string."}
