"""Pagination shared by the API and the HTML lists."""

from django.core.paginator import Paginator
from django.db.models import QuerySet


class DeferredJoinPaginator(Paginator):
    """Fetches a page in two steps: the page's primary keys first (the filter, the sort and
    the offset over narrow rows), then the full rows of those keys only.

    A deep page (``page=50``) otherwise sorts thousands of wide rows, with their joins, only
    to keep fifty; PostgreSQL spills that sort to disk. Same rows, same order.
    """

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        queryset = self.object_list
        query = getattr(queryset, "query", None)
        if not isinstance(queryset, QuerySet) or query.distinct or query.group_by is not None:
            # DISTINCT or aggregates: the key query would repeat the whole work; one query.
            return super().page(number)
        keys = list(queryset.values_list("pk", flat=True)[bottom:top])
        rows = {row.pk: row for row in queryset.order_by().filter(pk__in=keys)}
        return self._get_page([rows[key] for key in keys if key in rows], number, self)
