from core.api.views import CuratedViewSet
from licenses import selectors
from licenses.api.serializers import LicenseDetailSerializer, LicenseSerializer
from licenses.filters import LicenseFilterSet


class LicenseViewSet(CuratedViewSet):
    """Licences with structured terms; details carry the clause behind each term."""

    list_selector = staticmethod(selectors.license_list)
    detail_selector = staticmethod(selectors.license_detail)
    serializer_class = LicenseSerializer
    detail_serializer_class = LicenseDetailSerializer
    filterset_class = LicenseFilterSet
