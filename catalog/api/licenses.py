"""The licences' API resource.

A licence's detail carries the clause behind each term: its citations, which are catalog
records, and catalog sits above licences. So the resource is put together here, on the
catalog side, from the licences app's serializer, selectors and FilterSet; the licences app
itself knows nothing of citations.
"""

from catalog.api.citations import with_sources
from core.api.views import CuratedViewSet
from licenses import selectors
from licenses.api.serializers import LicenseSerializer
from licenses.filters import LicenseFilterSet

# A licence with the clause behind each term (citations with quotes).
LicenseDetailSerializer = with_sources(LicenseSerializer)


class LicenseViewSet(CuratedViewSet):
    """Licences with structured terms; details carry the clause behind each term."""

    list_selector = staticmethod(selectors.license_list)
    detail_selector = staticmethod(selectors.license_detail)
    serializer_class = LicenseSerializer
    detail_serializer_class = LicenseDetailSerializer
    filterset_class = LicenseFilterSet
