"""Reads of the architecture features: the API's resource, the feature index and a feature's
page. A version uses a feature when it claims it (a curated ``VersionFeature``) or, for a
derivable feature, when one of its visible variants' numbers show it."""

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import ExtractYear

from catalog.filters import DERIVED_FEATURES
from catalog.models import ArchitectureFeature, ModelVariant, ModelVersion, VersionFeature
from catalog.selectors.citations import citations
from catalog.selectors.visibility import visible


def feature_list(*, user=None) -> QuerySet[ArchitectureFeature]:
    return visible(ArchitectureFeature.objects.select_related("parent"), user)


def feature_detail(*, user=None) -> QuerySet[ArchitectureFeature]:
    return feature_list(user=user).prefetch_related(citations())


def feature_claims(user) -> QuerySet[VersionFeature]:
    """Curated feature claims of visible features, with the feature, by category and slug."""
    return (
        VersionFeature.objects.filter(feature__in=visible(ArchitectureFeature.objects.all(), user))
        .select_related("feature")
        .order_by("feature__category", "feature__slug", "pk")
    )


def _visible_versions(user) -> QuerySet[ModelVersion]:
    return visible(ModelVersion.objects.all(), user, path="family__")


def _deriving_variants(slug: str, user) -> QuerySet[ModelVariant]:
    """Visible variants whose numbers show derivable feature ``slug`` (the rule of
    ``catalog.filters.DERIVED_FEATURES``; no attention numbers, nothing derived, as in
    ``derived_features_of``)."""
    return (
        visible(ModelVariant.objects.all(), user)
        .filter(num_attention_heads__isnull=False)
        .filter(DERIVED_FEATURES[slug])
    )


def _uses_feature(feature, slug: str, user) -> Q:
    """A condition on a version: it claims ``feature`` (a pk, or an ``OuterRef`` to one), or,
    for a derivable feature, one of its visible variants' numbers show it."""
    condition = Q(Exists(VersionFeature.objects.filter(version=OuterRef("pk"), feature=feature)))
    if slug in DERIVED_FEATURES:
        condition |= Q(Exists(_deriving_variants(slug, user).filter(version=OuterRef("pk"))))
    return condition


def feature_version_counts(*, user=None) -> dict[int, int]:
    """For each feature (by pk), the visible versions that use it: a curated claim, or for a
    derivable feature a visible variant whose numbers show it. Three queries, counted here:
    one correlated subquery per feature and version made the index take seconds once the
    derived conditions read the config (issue 19)."""
    versions = set(_visible_versions(user).values_list("pk", flat=True))
    users: dict[int, set[int]] = {}
    for version_id, feature_id in VersionFeature.objects.filter(version__in=versions).values_list(
        "version_id", "feature_id"
    ):
        users.setdefault(feature_id, set()).add(version_id)
    slugs = dict(ArchitectureFeature.objects.values_list("slug", "pk"))
    flags = {
        f"derived_{n}": ExpressionWrapper(condition, output_field=BooleanField())
        for n, condition in enumerate(DERIVED_FEATURES.values())
    }
    deriving = (
        visible(ModelVariant.objects.all(), user)
        .filter(num_attention_heads__isnull=False, version__in=versions)
        .annotate(**flags)
        .values_list("version_id", *flags)
    )
    derived = list(DERIVED_FEATURES)
    for version_id, *shown in deriving:
        for n, flag in enumerate(shown):
            if flag and derived[n] in slugs:
                users.setdefault(slugs[derived[n]], set()).add(version_id)
    return {feature_id: len(ids) for feature_id, ids in users.items()}


def feature_index(*, user=None) -> QuerySet[ArchitectureFeature]:
    """Visible features, most used first, each with ``version_count``: the visible versions
    that use it (:func:`feature_version_counts`, whose numbers the query carries as
    constants)."""
    counts = feature_version_counts(user=user)
    count = Case(
        *(When(pk=pk, then=Value(n)) for pk, n in counts.items()),
        default=Value(0),
        output_field=IntegerField(),
    )
    return (
        feature_list(user=user)
        .annotate(version_count=count)
        .order_by("-version_count", "name", "pk")
    )


def feature_parents(*, user=None) -> QuerySet[ArchitectureFeature]:
    """Visible features that have visible narrower features (the choices of the ``parent``
    filter), by name. One query."""
    children = visible(ArchitectureFeature.objects.all(), user)
    return (
        visible(ArchitectureFeature.objects.all(), user)
        .filter(children__in=children)
        .distinct()
        .order_by("name", "pk")
    )


def feature_adoption(
    features: list[ArchitectureFeature], *, user=None
) -> tuple[dict[int, int], dict[int, dict[int, int]]]:
    """Per release year, the number of visible versions released and, for each of
    ``features``, how many of them use it (as :func:`feature_index` counts). One query
    whatever the number of features; versions without a release date are left out.

    Returns ``(totals, adoption)``: ``{year: versions}`` and ``{feature pk: {year: versions}}``.
    """
    per_feature = {
        f"uses_{feature.pk}": Count("pk", filter=_uses_feature(feature.pk, feature.slug, user))
        for feature in features
    }
    rows = (
        _visible_versions(user)
        .filter(release_date__isnull=False)
        .annotate(year=ExtractYear("release_date"))
        .values("year")
        .annotate(total=Count("pk"), **per_feature)
        .order_by("year")
    )
    totals: dict[int, int] = {}
    adoption: dict[int, dict[int, int]] = {feature.pk: {} for feature in features}
    for row in rows:
        totals[row["year"]] = row["total"]
        for feature in features:
            adoption[feature.pk][row["year"]] = row[f"uses_{feature.pk}"]
    return totals, adoption


def feature_page(*, user=None) -> QuerySet[ArchitectureFeature]:
    """Features for a feature's page: citations, the broader feature (``parent``, None when
    it is not visible) and the visible narrower ones (``shown_children``) prefetched."""
    shown = visible(ArchitectureFeature.objects.all(), user)
    return shown.prefetch_related(
        citations(),
        Prefetch("parent", queryset=shown),
        Prefetch("children", queryset=shown.order_by("name", "pk"), to_attr="shown_children"),
    )


def feature_versions(feature: ArchitectureFeature, *, user=None) -> QuerySet[ModelVersion]:
    """The visible versions that use ``feature``, newest first, with their family, ``claimed``
    (the version has a curated claim), ``claim_note`` and, for a derivable feature,
    ``deriving_variants`` (its visible variants whose numbers show it). One query, two for a
    derivable feature."""
    claims = VersionFeature.objects.filter(version=OuterRef("pk"), feature=feature.pk)
    versions = (
        _visible_versions(user)
        .select_related("family")
        .annotate(claimed=Exists(claims), claim_note=Subquery(claims.values("note")[:1]))
        .filter(_uses_feature(feature.pk, feature.slug, user))
        .order_by(F("release_date").desc(nulls_last=True), "name", "pk")
    )
    if feature.slug in DERIVED_FEATURES:
        deriving = _deriving_variants(feature.slug, user).order_by("total_parameters", "slug", "pk")
        versions = versions.prefetch_related(
            Prefetch("variants", queryset=deriving, to_attr="deriving_variants")
        )
    return versions
