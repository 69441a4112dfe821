"""Reads of the families: the API's resource, the family list and a family's page (its
versions and variants; its lineage is in ``lineage``)."""

from django.db.models import Count, Max, QuerySet

from catalog.models import ModelFamily, ModelVariant, ModelVersion
from catalog.selectors.citations import citations
from catalog.selectors.variants import variant_list_rows
from catalog.selectors.visibility import published_condition, visible


def family_list(*, user=None) -> QuerySet[ModelFamily]:
    return visible(ModelFamily.objects.select_related("organization"), user)


def family_detail(*, user=None) -> QuerySet[ModelFamily]:
    return family_list(user=user).prefetch_related(citations())


def family_list_page(*, user=None) -> QuerySet[ModelFamily]:
    """Families with their organisation and, annotated, the number of visible versions
    (``version_count``) and variants (``variant_count``) and the latest release date
    (``latest_release``): one query."""
    versions = published_condition(ModelVersion, user, "versions__")
    variants = versions & published_condition(ModelVariant, user, "versions__variants__")
    return (
        family_list(user=user)
        .annotate(
            version_count=Count("versions", filter=versions, distinct=True),
            variant_count=Count("versions__variants", filter=variants, distinct=True),
            latest_release=Max("versions__release_date", filter=versions),
        )
        .order_by("name", "pk")  # Meta.ordering does not apply to aggregate queries
    )


def family_versions(family: ModelFamily, *, user=None) -> QuerySet[ModelVersion]:
    """The visible versions of ``family`` in release order, with their licence (and the family,
    for their addresses)."""
    return (
        visible(ModelVersion.objects.select_related("family", "license"), user)
        .filter(family=family)
        .order_by("release_date", "slug", "pk")
    )


def family_variants(family: ModelFamily, *, user=None) -> QuerySet[ModelVariant]:
    """The visible variants of ``family`` (narrow rows of ``variant_list_page``)."""
    return variant_list_rows(user=user).filter(version__family=family)
