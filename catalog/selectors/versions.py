"""Reads of the versions: the API's resource, the version list and a version's page (its
curated features and variants, and the version it follows, for the diff)."""

from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, QuerySet, Value, When

from catalog.choices import FeatureCategory
from catalog.models import ArchitectureFeature, ModelVariant, ModelVersion, VersionFeature
from catalog.selectors.citations import citations
from catalog.selectors.variants import with_derived_features
from catalog.selectors.visibility import published_condition, visible


def version_list(*, user=None) -> QuerySet[ModelVersion]:
    return visible(
        ModelVersion.objects.select_related(
            "family__organization", "license", "predecessor__family"
        ).prefetch_related(
            Prefetch("features", queryset=ArchitectureFeature.objects.order_by("slug"))
        ),
        user,
        path="family__",
    )


def version_detail(*, user=None) -> QuerySet[ModelVersion]:
    return version_list(user=user).prefetch_related(citations())


def version_list_page(*, user=None) -> QuerySet[ModelVersion]:
    """Versions for the version list: family, organisation and licence joined, the number of
    visible variants annotated (``variant_count``); no features (the list does not show them)."""
    return (
        visible(
            ModelVersion.objects.select_related("family__organization", "license"),
            user,
            path="family__",
        )
        .annotate(
            variant_count=Count(
                "variants",
                filter=published_condition(ModelVariant, user, "variants__"),
                distinct=True,
            )
        )
        .order_by("family__name", "release_date", "slug", "pk")  # no Meta.ordering with GROUP BY
    )


# -- a version's page ----------------------------------------------------------------------------


def _curated_features(user) -> Prefetch:
    """A version's curated feature claims (visible features only), in the taxonomy's order
    of categories (backbone, normalisation, activation… as ``FeatureCategory`` lists them)."""
    category_order = Case(
        *(When(feature__category=key, then=Value(i)) for i, key in enumerate(FeatureCategory)),
        default=Value(len(FeatureCategory)),
        output_field=IntegerField(),
    )
    claims = (
        VersionFeature.objects.filter(feature__in=visible(ArchitectureFeature.objects.all(), user))
        .select_related("feature")
        .order_by(category_order, "feature__slug", "pk")
    )
    return Prefetch("version_features", queryset=claims, to_attr="curated_features")


def _shown_variants(user) -> Prefetch:
    """A version's visible variants, smallest first, with their derived features."""
    variants = (
        with_derived_features(visible(ModelVariant.objects.all(), user))
        .defer("config", "description", "description_zh")  # long texts the table never shows
        .order_by("total_parameters", "slug", "pk")
    )
    return Prefetch("variants", queryset=variants, to_attr="shown_variants")


def version_page(*, user=None) -> QuerySet[ModelVersion]:
    """Versions for the version page: family, organisation, licence and predecessor joined;
    citations, curated features (``curated_features``) and visible variants with derived
    features (``shown_variants``) prefetched: five queries for one version."""
    return visible(
        ModelVersion.objects.select_related(
            "family__organization", "license", "predecessor__family"
        ),
        user,
        path="family__",
    ).prefetch_related(citations(), _curated_features(user), _shown_variants(user))


def version_previous(version: ModelVersion, *, user=None) -> ModelVersion | None:
    """The version ``version`` follows, with ``curated_features`` and ``shown_variants``: its
    predecessor when visible, else the latest visible version of its family released before
    it; ``None`` when there is neither. One query, plus two prefetches when found."""
    candidates = Q(pk__in=[])
    if version.predecessor_id is not None:
        candidates |= Q(pk=version.predecessor_id)
    if version.release_date is not None:
        candidates |= Q(family_id=version.family_id, release_date__lt=version.release_date)
    queryset = (
        visible(ModelVersion.objects.select_related("family", "license"), user, path="family__")
        .filter(candidates)
        .exclude(pk=version.pk)
        .prefetch_related(_curated_features(user), _shown_variants(user))
        .order_by(
            Case(When(pk=version.predecessor_id, then=Value(0)), default=Value(1)),
            F("release_date").desc(nulls_last=True),
            "-pk",
        )
    )
    return queryset.first()
