"""The sources behind a record's facts, prefetched for the pages and the API that show them."""

from django.db.models import Prefetch

from catalog.models import Citation


def citations(lookup: str = "citations") -> Prefetch:
    """``lookup`` (a curated record's ``citations``, or a related record's, such as
    ``license__citations``) prefetched with each citation's source: one query."""
    return Prefetch(lookup, queryset=Citation.objects.select_related("source"))
