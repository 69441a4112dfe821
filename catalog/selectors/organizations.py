"""Reads of the organisations (the API's resource)."""

from django.db.models import QuerySet

from catalog.models import Organization
from catalog.selectors.citations import citations
from catalog.selectors.visibility import visible


def organization_list(*, user=None) -> QuerySet[Organization]:
    return visible(Organization.objects.all(), user)


def organization_detail(*, user=None) -> QuerySet[Organization]:
    return organization_list(user=user).prefetch_related(citations())
