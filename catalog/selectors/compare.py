"""Reads of the compare page (and the MCP tool compare_models): the picker's options and the
variants compared, named by key."""

from django.db.models import Prefetch, Q, QuerySet

from catalog.models import ModelVariant
from catalog.selectors.features import feature_claims
from catalog.selectors.picker import PICKER_ORDER
from catalog.selectors.variants import variant_list, with_derived_features
from catalog.selectors.visibility import VARIANT_PARENTS, visible

# The compare page and the MCP tool compare_models take 2 to 4 variants.
COMPARE_MIN = 2
COMPARE_MAX = 4


def variant_choices(*, user=None) -> QuerySet[ModelVariant]:
    """Every visible variant, narrow (keys and names), by family, version date and size: the
    options of the compare picker."""
    return (
        visible(ModelVariant.objects.all(), user, path=VARIANT_PARENTS)
        .select_related("version__family")
        .only(
            "slug",
            "name",
            "total_parameters",
            "version__slug",
            "version__name",
            "version__release_date",
            "version__family__slug",
            "version__family__name",
            "version__family__name_zh",
        )
        .order_by(*PICKER_ORDER)
    )


def variants_by_keys(keys: list[tuple[str, str, str]], *, user=None) -> QuerySet[ModelVariant]:
    """Visible variants named by ``(family, version, variant)`` slug triples, with version,
    family and licences joined, derived features annotated and the version's curated
    features prefetched (``version.curated_features``): two queries for any number."""
    condition = Q(pk__in=[])
    for family, version, variant in keys:
        condition |= Q(version__family__slug=family, version__slug=version, slug=variant)
    return with_derived_features(variant_list(user=user).filter(condition)).prefetch_related(
        Prefetch("version__version_features", queryset=feature_claims(user))
    )
