"""The API's export: the whole published catalog, across the catalog, licences and hardware,
in the catalog file format (``curation/services/export.py`` builds it)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.models import ModelVariant
from core.api.permissions import RegistryPermission
from curation.services.export import catalog_export, catalog_export_json


class CanonicalJSONRenderer(JSONRenderer):
    """JSON with sorted keys and fixed separators: the same catalog, the same bytes (and so
    the same ETag)."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        return catalog_export_json(data)


class ExportView(APIView):
    """The whole published catalog in the versioned catalog format (docs/api.md, "Export");
    `load_catalog --file` imports it back."""

    permission_classes = [RegistryPermission]
    # One JSON document: no CSV form (?format=csv answers 404).
    renderer_classes = [CanonicalJSONRenderer, BrowsableAPIRenderer]

    def get_queryset(self):  # for DjangoModelPermissions on non-safe methods (none here)
        return ModelVariant.objects.none()

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        return Response(catalog_export())
