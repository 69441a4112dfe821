"""drf-spectacular extensions: describe our custom serializer fields in the OpenAPI schema."""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes


class BriefRelatedFieldExtension(OpenApiSerializerFieldExtension):
    """Requests send the slug (or key); responses carry the brief object."""

    target_class = "llmregistry.api.serializers.BriefRelatedField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        if direction == "request":
            return build_basic_type(OpenApiTypes.STR)
        component = auto_schema.resolve_serializer(self.target.brief_serializer, direction)
        return component.ref


class OptionalURLFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "llmregistry.api.serializers.OptionalURLField"

    def map_serializer_field(self, auto_schema, direction):
        return {"type": "string", "description": "A URL, or an empty string."}
