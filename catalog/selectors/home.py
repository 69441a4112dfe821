"""Reads of the home page: the catalog's counts and the latest releases."""

from django.db.models import Count, QuerySet

from catalog.models import ModelFamily, ModelVariant, ModelVersion
from catalog.selectors.visibility import VARIANT_PARENTS, visible
from licenses.models import License


def catalog_counts(*, user=None) -> dict[str, int]:
    """Numbers of visible families, versions, variants and licences: one aggregate query per
    table (four), whatever the catalog's size. The hardware app adds its own count to the home
    page (core.extensions)."""
    querysets = {
        "families": visible(ModelFamily.objects.all(), user),
        "versions": visible(ModelVersion.objects.all(), user, path="family__"),
        "variants": visible(ModelVariant.objects.all(), user, path=VARIANT_PARENTS),
        "licenses": visible(License.objects.all(), user),
    }
    return {
        name: queryset.order_by().aggregate(n=Count("pk"))["n"]
        for name, queryset in querysets.items()
    }


def latest_versions(*, user=None, limit: int = 6) -> QuerySet[ModelVersion]:
    """The ``limit`` most recently released visible versions with family and licence."""
    return (
        visible(
            ModelVersion.objects.select_related("family__organization", "license"),
            user,
            path="family__",
        )
        .filter(release_date__isnull=False)
        .order_by("-release_date", "-pk")[:limit]
    )
