from rest_framework.pagination import PageNumberPagination

from core.pagination import DeferredJoinPaginator


class RegistryPagination(PageNumberPagination):
    """Numbered pages with a count; ``page_size`` up to 500."""

    django_paginator_class = DeferredJoinPaginator
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
