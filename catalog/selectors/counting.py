"""Counts as columns: the number of rows of a correlated queryset, annotated in the same query
as the rows it counts for (the feature index, the licence pages)."""

from django.db.models import F, Func, IntegerField, QuerySet, Subquery
from django.db.models.functions import Coalesce


def count_of(queryset: QuerySet) -> Coalesce:
    """``COUNT(*)`` of ``queryset`` (correlated with ``OuterRef``) as a subquery, 0 when empty."""
    counted = queryset.order_by().annotate(_n=Func(F("pk"), function="COUNT")).values("_n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)
