"""Reads of the licences: the only place that joins and prefetches them.

What is published under a licence (versions, variants) is the catalog's to read
(``catalog/selectors/license_pages.py``): the catalog sits above the licences.
"""

from django.db.models import Prefetch, QuerySet

from core.visibility import visible
from licenses.models import License


def _citations() -> Prefetch:
    """A licence's citations (the clauses behind its terms) with their sources, in one query.

    Every curated record declares its citations (``core.models.CuratedRecord.citations``, a
    relation to the catalog's Citation named by label); the model class is taken from that
    relation, which is the licence's own, rather than imported from the catalog above.
    """
    citation = License._meta.get_field("citations").related_model
    return Prefetch("citations", queryset=citation.objects.select_related("source"))


def license_list(*, user=None) -> QuerySet[License]:
    return visible(License.objects.all(), user)


def license_detail(*, user=None) -> QuerySet[License]:
    """Visible licences with their citations and sources: a licence's page, the checker (the
    clauses it quotes), the API's detail and MCP."""
    return license_list(user=user).prefetch_related(_citations())
