"""Reads of the catalog: the only place that joins, prefetches and annotates."""

import datetime

from django.db.models import Prefetch, QuerySet
from django.db.models.functions import Coalesce
from django.utils.formats import number_format

from catalog.choices import PublicationStatus
from catalog.effective import effective_context_expression
from catalog.keys import variant_key
from catalog.models import (
    ArchitectureFeature,
    Citation,
    Lineage,
    ModelFamily,
    ModelVariant,
    ModelVersion,
    Organization,
)

PUBLISHED = PublicationStatus.PUBLISHED
# The parents a variant needs published, as well as itself, before everyone may see it: a
# published variant of a draft version or of a draft family stays hidden with them.
VARIANT_PARENTS = ("version__", "version__family__")

# The compare page and the MCP tool compare_models take 2 to 4 variants.
COMPARE_MIN = 2
COMPARE_MAX = 4


def visible(queryset: QuerySet, user, *, path: str | tuple[str, ...] = "") -> QuerySet:
    """Editors see every record; everyone else only published ones whose parents are published.

    ``path``: the lookup prefix of each parent that must be published too (``"family__"``
    for a version, :data:`VARIANT_PARENTS` for a variant).
    """
    if (
        user is not None
        and user.is_authenticated
        and user.has_perm(
            f"{queryset.model._meta.app_label}.view_{queryset.model._meta.model_name}"
        )
    ):
        return queryset
    condition = {"status": PUBLISHED}
    for parent in (path,) if isinstance(path, str) else path:
        if parent:
            condition[f"{parent}status"] = PUBLISHED
    return queryset.filter(**condition)


def _citations() -> Prefetch:
    return Prefetch("citations", queryset=Citation.objects.select_related("source"))


def organization_list(*, user=None) -> QuerySet[Organization]:
    return visible(Organization.objects.all(), user)


def organization_detail(*, user=None) -> QuerySet[Organization]:
    return organization_list(user=user).prefetch_related(_citations())


def family_list(*, user=None) -> QuerySet[ModelFamily]:
    return visible(ModelFamily.objects.select_related("organization"), user)


def family_detail(*, user=None) -> QuerySet[ModelFamily]:
    return family_list(user=user).prefetch_related(_citations())


def feature_list(*, user=None) -> QuerySet[ArchitectureFeature]:
    return visible(ArchitectureFeature.objects.select_related("parent"), user)


def feature_detail(*, user=None) -> QuerySet[ArchitectureFeature]:
    return feature_list(user=user).prefetch_related(_citations())


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
    return version_list(user=user).prefetch_related(_citations())


def variant_list(*, user=None) -> QuerySet[ModelVariant]:
    """Visible variants (of published versions of published families, for everyone but
    editors) with their version, family, organisation and effective licence, and the
    effective values filters and ordering use (the variant's own, else its version's)."""
    return visible(
        ModelVariant.objects.select_related(
            "version__family__organization", "version__license", "license"
        ).annotate(
            effective_context=effective_context_expression(),
            effective_release_date=Coalesce("release_date", "version__release_date"),
            effective_license_id=Coalesce("license_id", "version__license_id"),
            effective_active_parameters=Coalesce("active_parameters", "total_parameters"),
        ),
        user,
        path=VARIANT_PARENTS,
    )


_BRIEF_LICENSE = (
    "slug",
    "name",
    "spdx_id",
    "kind",
    "commercial_use",
    "mau_threshold",
    "outputs_train_other_models",
)
VARIANT_LIST_COLUMNS = (
    *(f.name for f in ModelVariant._meta.concrete_fields if f.name not in ("config",)),
    "version__slug",
    "version__name",
    "version__name_zh",
    "version__release_date",
    "version__max_context_tokens",
    "version__status",
    "version__family_id",
    "version__license_id",
    "version__family__slug",
    "version__family__name",
    "version__family__name_zh",
    "version__family__organization_id",
    "version__family__organization__slug",
    "version__family__organization__name",
    "version__family__organization__name_zh",
    "version__family__organization__country",
    *(f"version__license__{name}" for name in _BRIEF_LICENSE),
    *(f"license__{name}" for name in _BRIEF_LICENSE),
)


def variant_list_page(*, user=None) -> QuerySet[ModelVariant]:
    """``variant_list`` with only the columns a list page renders (no raw config.json, no
    long texts of the related records): narrow rows sort and travel fast."""
    return variant_list(user=user).only(*VARIANT_LIST_COLUMNS)


def variant_detail(*, user=None) -> QuerySet[ModelVariant]:
    return variant_list(user=user).prefetch_related(
        _citations(),
        Prefetch("version__features", queryset=ArchitectureFeature.objects.order_by("slug")),
    )


def lineage_of(variant: ModelVariant, *, user=None) -> dict[str, list[Lineage]]:
    """Ancestors and descendants of ``variant`` (all generations; lineage graphs are shallow).

    The walk reads narrow rows (edge id, far end), one query per generation and direction
    plus one to end each walk; the edges found are then fetched whole, with both ends, in one
    query. An end the user may not see is not shown and not walked past.
    """
    see_all = (
        user is not None and user.is_authenticated and user.has_perm("catalog.view_modelvariant")
    )

    def steps(end: str) -> QuerySet[Lineage]:
        edges = Lineage.objects.order_by()
        if see_all:
            return edges
        prefixes = ("", *VARIANT_PARENTS)
        return edges.filter(**{f"{end}__{prefix}status": PUBLISHED for prefix in prefixes})

    def walk(near: str, far: str) -> list[list[int]]:
        generations, frontier, seen = [], {variant.pk}, {variant.pk}
        while frontier:
            rows = list(
                steps(far).filter(**{f"{near}_id__in": frontier}).values_list("pk", f"{far}_id")
            )
            if rows:
                generations.append([pk for pk, _ in rows])
            reached = {far_id for _, far_id in rows}
            frontier = reached - seen
            seen |= reached
        return generations

    up, down = walk("child", "parent"), walk("parent", "child")
    if not up and not down:
        return {"ancestors": [], "descendants": []}
    edges = {
        edge.pk: edge
        for edge in Lineage.objects.select_related(
            "parent__version__family", "child__version__family"
        ).filter(pk__in=[pk for generation in (*up, *down) for pk in generation])
    }

    def in_order(generations: list[list[int]]) -> list[Lineage]:
        # Generation by generation, as walked; within one, the edges' own ordering.
        return [
            edge
            for generation in generations
            for edge in sorted((edges[pk] for pk in generation), key=_lineage_order)
        ]

    return {"ancestors": in_order(up), "descendants": in_order(down)}


def _variant_order(variant: ModelVariant) -> tuple:
    """``ModelVariant.Meta.ordering`` in Python (version: family name, release date, slug;
    then size, slug, pk), for rows already in memory."""
    version = variant.version
    released = version.release_date
    return (
        version.family.name,
        version.family_id,
        released is None,
        released or datetime.date.min,
        version.slug,
        version.pk,
        variant.total_parameters is None,
        variant.total_parameters or 0,
        variant.slug,
        variant.pk,
    )


def _lineage_order(edge: Lineage) -> tuple:
    """``Lineage.Meta.ordering`` (child, parent, pk) in Python."""
    return (_variant_order(edge.child), _variant_order(edge.parent), edge.pk)


# -- version and variant pages ---------------------------------------------------------------


def _derived_name(slug: str) -> str:
    return "derived_" + slug.replace("-", "_")


def with_derived_features(queryset: QuerySet[ModelVariant]) -> QuerySet[ModelVariant]:
    """Annotate each variant with one ``derived_<slug>`` boolean per derivable feature.

    The conditions are ``catalog.filters.DERIVED_FEATURES``, the ones the API's ``feature``
    and ``attention`` filters use, so a page and the API never disagree on what a variant's
    numbers show. Read them back with :func:`derived_features_of`.
    """
    from django.db.models import BooleanField, ExpressionWrapper

    from catalog.filters import DERIVED_FEATURES

    return queryset.annotate(
        **{
            _derived_name(slug): ExpressionWrapper(condition, output_field=BooleanField())
            for slug, condition in DERIVED_FEATURES.items()
        }
    )


def derived_features_of(variant: ModelVariant) -> list[str]:
    """Slugs of the features ``variant``'s numbers show (annotated by
    :func:`with_derived_features`); empty for a variant without attention numbers, whose
    features cannot be derived."""
    from catalog.filters import DERIVED_FEATURES

    if variant.num_attention_heads is None:
        return []
    return [slug for slug in DERIVED_FEATURES if getattr(variant, _derived_name(slug), False)]


def _curated_features(user) -> Prefetch:
    """A version's curated feature claims (visible features only), in the taxonomy's order
    of categories (backbone, normalisation, activation… as ``FeatureCategory`` lists them)."""
    from django.db.models import Case, IntegerField, Value, When

    from catalog.choices import FeatureCategory
    from catalog.models import VersionFeature

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
    ).prefetch_related(_citations(), _curated_features(user), _shown_variants(user))


def version_previous(version: ModelVersion, *, user=None) -> ModelVersion | None:
    """The version ``version`` follows, with ``curated_features`` and ``shown_variants``: its
    predecessor when visible, else the latest visible version of its family released before
    it; ``None`` when there is neither. One query, plus two prefetches when found."""
    from django.db.models import Case, F, Q, Value, When

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


def variant_for_page(*, user=None) -> QuerySet[ModelVariant]:
    """Variants for the variant page: ``variant_list`` (version, family, organisation and both
    licences joined) of visible families, with derived features, the variant's citations and
    the citations of its own and its version's licence (their quoted clauses)."""
    licence_citations = Citation.objects.select_related("source")
    return with_derived_features(variant_list(user=user)).prefetch_related(
        _citations(),
        Prefetch("license__citations", queryset=licence_citations),
        Prefetch("version__license__citations", queryset=licence_citations),
    )


# -- browsing pages (home, lists, family page, compare) --------------------------------------


def _shows_drafts(model, user) -> bool:
    """Whether ``user`` sees draft ``model`` records (the rule of :func:`visible`)."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}")
    )


def _published(model, user, path: str):
    """A condition keeping rows whose related ``path`` records are visible to ``user`` (for
    filtered aggregates, where :func:`visible` cannot be applied to a queryset)."""
    from django.db.models import Q

    if _shows_drafts(model, user):
        return Q()
    return Q(**{f"{path}status": PUBLISHED})


def catalog_counts(*, user=None) -> dict[str, int]:
    """Numbers of visible families, versions, variants and licences: one aggregate query per
    table (four), whatever the catalog's size. The hardware app adds its own count to the home
    page (core.extensions)."""
    from django.db.models import Count

    from licenses.models import License

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


def family_list_page(*, user=None) -> QuerySet[ModelFamily]:
    """Families with their organisation and, annotated, the number of visible versions
    (``version_count``) and variants (``variant_count``) and the latest release date
    (``latest_release``): one query."""
    from django.db.models import Count, Max

    versions = _published(ModelVersion, user, "versions__")
    variants = versions & _published(ModelVariant, user, "versions__variants__")
    return (
        family_list(user=user)
        .annotate(
            version_count=Count("versions", filter=versions, distinct=True),
            variant_count=Count("versions__variants", filter=variants, distinct=True),
            latest_release=Max("versions__release_date", filter=versions),
        )
        .order_by("name", "pk")  # Meta.ordering does not apply to aggregate queries
    )


def version_list_page(*, user=None) -> QuerySet[ModelVersion]:
    """Versions for the version list: family, organisation and licence joined, the number of
    visible variants annotated (``variant_count``); no features (the list does not show them)."""
    from django.db.models import Count

    return (
        visible(
            ModelVersion.objects.select_related("family__organization", "license"),
            user,
            path="family__",
        )
        .annotate(
            variant_count=Count(
                "variants", filter=_published(ModelVariant, user, "variants__"), distinct=True
            )
        )
        .order_by("family__name", "release_date", "slug", "pk")  # no Meta.ordering with GROUP BY
    )


def variant_list_rows(*, user=None) -> QuerySet[ModelVariant]:
    """:func:`variant_list_page` of visible families, with the licences' Chinese names (the
    model list shows them under zh-hans)."""
    return variant_list_page(user=user).only(
        *VARIANT_LIST_COLUMNS, "license__name_zh", "version__license__name_zh"
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
    """The visible variants of ``family`` (narrow rows of :func:`variant_list_page`)."""
    return variant_list_rows(user=user).filter(version__family=family)


def family_lineage(family: ModelFamily, *, user=None) -> QuerySet[Lineage]:
    """Lineage edges with a parent or a child in ``family`` (both directions, across
    families) whose two ends are visible, each end's version and family joined: one query."""
    from django.db.models import Q

    shown = visible(ModelVariant.objects.all(), user, path=VARIANT_PARENTS)
    return (
        Lineage.objects.filter(Q(parent__version__family=family) | Q(child__version__family=family))
        .filter(parent__in=shown, child__in=shown)
        .select_related("parent__version__family", "child__version__family")
        .only(
            "kind",
            "note",
            "parent_id",
            "child_id",
            *(
                f"{end}__{field}"
                for end in ("parent", "child")
                for field in (
                    "slug",
                    "name",
                    "version__slug",
                    "version__name",
                    "version__name_zh",
                    "version__family__slug",
                    "version__family__name",
                    "version__family__name_zh",
                )
            ),
        )
        .order_by("parent__version__family__name", "parent__name", "child__name", "pk")
    )


def filter_choices(*, user=None, include: tuple[str, ...]) -> dict[str, list]:
    """Small option lists for the list pages' filter forms: ``family``, ``organization``,
    ``license`` and ``feature`` (slug and names of visible records), one query each."""
    from licenses.models import License

    sources = {
        "family": lambda: visible(ModelFamily.objects.all(), user).order_by("name", "pk"),
        "organization": lambda: visible(Organization.objects.all(), user).order_by("name", "pk"),
        "license": lambda: visible(License.objects.all(), user).order_by("name", "pk"),
        "feature": lambda: visible(ArchitectureFeature.objects.all(), user).order_by("name", "pk"),
    }
    return {
        name: list(sources[name]().only("slug", "name", "name_zh", "status")) for name in include
    }


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
        .order_by(
            "version__family__name",
            "version__release_date",
            "version__slug",
            "total_parameters",
            "slug",
            "pk",
        )
    )


def variants_by_keys(keys: list[tuple[str, str, str]], *, user=None) -> QuerySet[ModelVariant]:
    """Visible variants named by ``(family, version, variant)`` slug triples, with version,
    family and licences joined, derived features annotated and the version's curated
    features prefetched (``version.curated_features``): two queries for any number."""
    from django.db.models import Q

    condition = Q(pk__in=[])
    for family, version, variant in keys:
        condition |= Q(version__family__slug=family, version__slug=version, slug=variant)
    return with_derived_features(variant_list(user=user).filter(condition)).prefetch_related(
        Prefetch("version__version_features", queryset=_feature_claims(user))
    )


def _feature_claims(user):
    from catalog.models import VersionFeature

    return (
        VersionFeature.objects.filter(feature__in=visible(ArchitectureFeature.objects.all(), user))
        .select_related("feature")
        .order_by("feature__category", "feature__slug", "pk")
    )


# -- feature and trend pages -------------------------------------------------------------------


def _visible_versions(user) -> QuerySet[ModelVersion]:
    return visible(ModelVersion.objects.all(), user, path="family__")


def _deriving_variants(slug: str, user) -> QuerySet[ModelVariant]:
    """Visible variants whose numbers show derivable feature ``slug`` (the rule of
    ``catalog.filters.DERIVED_FEATURES``; no attention numbers, nothing derived, as in
    :func:`derived_features_of`)."""
    from catalog.filters import DERIVED_FEATURES

    return (
        visible(ModelVariant.objects.all(), user)
        .filter(num_attention_heads__isnull=False)
        .filter(DERIVED_FEATURES[slug])
    )


def _uses_feature(feature, slug: str, user):
    """A condition on a version: it claims ``feature`` (a pk, or an ``OuterRef`` to one), or,
    for a derivable feature, one of its visible variants' numbers show it."""
    from django.db.models import Exists, OuterRef, Q

    from catalog.filters import DERIVED_FEATURES
    from catalog.models import VersionFeature

    condition = Q(Exists(VersionFeature.objects.filter(version=OuterRef("pk"), feature=feature)))
    if slug in DERIVED_FEATURES:
        condition |= Q(Exists(_deriving_variants(slug, user).filter(version=OuterRef("pk"))))
    return condition


def _count_of(queryset: QuerySet):
    """``COUNT(*)`` of ``queryset`` as a correlated subquery, 0 when empty."""
    from django.db.models import F, Func, IntegerField, Subquery

    counted = queryset.order_by().annotate(_n=Func(F("pk"), function="COUNT")).values("_n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def feature_index(*, user=None) -> QuerySet[ArchitectureFeature]:
    """Visible features, most used first, each with ``version_count``: the visible versions
    that use it (a curated claim, or for a derivable feature a visible variant whose numbers
    show it). One query."""
    from django.db.models import Case, IntegerField, OuterRef, When

    from catalog.filters import DERIVED_FEATURES

    versions = _visible_versions(user)
    feature = OuterRef(OuterRef("pk"))  # the feature row, seen from inside the version count
    count = Case(
        *(
            When(slug=slug, then=_count_of(versions.filter(_uses_feature(feature, slug, user))))
            for slug in DERIVED_FEATURES
        ),
        default=_count_of(versions.filter(_uses_feature(feature, "", user))),
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
    from django.db.models import Count
    from django.db.models.functions import ExtractYear

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
        _citations(),
        Prefetch("parent", queryset=shown),
        Prefetch("children", queryset=shown.order_by("name", "pk"), to_attr="shown_children"),
    )


def feature_versions(feature: ArchitectureFeature, *, user=None) -> QuerySet[ModelVersion]:
    """The visible versions that use ``feature``, newest first, with their family, ``claimed``
    (the version has a curated claim), ``claim_note`` and, for a derivable feature,
    ``deriving_variants`` (its visible variants whose numbers show it). One query, two for a
    derivable feature."""
    from django.db.models import Exists, F, OuterRef, Subquery

    from catalog.filters import DERIVED_FEATURES
    from catalog.models import VersionFeature

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


def trend_versions(*, user=None) -> QuerySet[ModelVersion]:
    """Visible versions with a release date, oldest first, with family and organisation
    (only the columns the trend charts use). One query."""
    return (
        _visible_versions(user)
        .filter(release_date__isnull=False)
        .select_related("family__organization")
        .only(
            "slug",
            "name",
            "name_zh",
            "release_date",
            "max_context_tokens",
            "family__slug",
            "family__name",
            "family__name_zh",
            "family__organization__slug",
            "family__organization__name",
            "family__organization__name_zh",
        )
        .order_by("release_date", "name", "pk")
    )


def trend_variants(*, user=None) -> QuerySet[ModelVariant]:
    """Visible variants (of visible versions and families) with a parameter count and a
    release date (``effective_release_date``: their own, else their version's), oldest first.
    One query."""
    return (
        visible(ModelVariant.objects.select_related("version__family"), user, path=VARIANT_PARENTS)
        .annotate(effective_release_date=Coalesce("release_date", "version__release_date"))
        .filter(total_parameters__isnull=False, effective_release_date__isnull=False)
        .only(
            "slug",
            "name",
            "total_parameters",
            "active_parameters",
            "num_experts",
            "release_date",
            "version__slug",
            "version__name",
            "version__name_zh",
            "version__release_date",
            "version__family__slug",
            "version__family__name",
            "version__family__name_zh",
        )
        .order_by("effective_release_date", "total_parameters", "pk")
    )


# -- bounded pages: the trend charts' aggregates, a variant picker of bounded size -------------


def trend_release_counts(*, user=None):
    """The versions of :func:`trend_versions` counted per organisation and release month: rows
    of ``month`` (its first day), ``organization`` (slug), ``organization_name``,
    ``organization_name_zh`` and ``versions``, by month. One query, whose rows grow with
    organisations and months but not with versions."""
    from django.db.models import Count, F
    from django.db.models.functions import TruncMonth

    return (
        trend_versions(user=user)
        .order_by()
        .annotate(month=TruncMonth("release_date"))
        .values(
            "month",
            organization=F("family__organization__slug"),
            organization_name=F("family__organization__name"),
            organization_name_zh=F("family__organization__name_zh"),
        )
        .annotate(versions=Count("pk"))
        .order_by("month", "organization")
    )


def trend_largest_variants(*, user=None) -> QuerySet[ModelVariant]:
    """For each release quarter and kind, the largest variant of :func:`trend_variants` (by
    total parameters), with ``quarter`` (its first day), ``moe`` (a mixture of experts, as
    ``ModelVariant.is_moe``) and ``released`` (how many variants of that kind were released
    that quarter). One query, at most two rows per quarter."""
    from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, Window
    from django.db.models.functions import TruncQuarter

    return (
        trend_variants(user=user)
        .annotate(
            quarter=TruncQuarter("effective_release_date"),
            moe=ExpressionWrapper(Q(num_experts__isnull=False), output_field=BooleanField()),
        )
        .annotate(released=Window(Count("pk"), partition_by=[F("quarter"), F("moe")]))
        .order_by("quarter", "moe", F("total_parameters").desc(), "pk")
        .distinct("quarter", "moe")
    )


def trend_longest_context(*, user=None) -> QuerySet[ModelVersion]:
    """For each release quarter, the version of :func:`trend_versions` with the longest
    maximum context, with ``quarter`` (its first day) and ``released`` (how many versions with
    a known context were released that quarter). One query, one row per quarter."""
    from django.db.models import Count, F, Window
    from django.db.models.functions import TruncQuarter

    return (
        trend_versions(user=user)
        .filter(max_context_tokens__isnull=False)
        .annotate(quarter=TruncQuarter("release_date"))
        .annotate(released=Window(Count("pk"), partition_by=[F("quarter")]))
        .order_by("quarter", F("max_context_tokens").desc(), "release_date", "pk")
        .distinct("quarter")
    )


def variant_picker(
    queryset: QuerySet[ModelVariant], keys: list[tuple[str, str, str]], *, limit: int
) -> tuple[list[ModelVariant], bool]:
    """The options of a variant picker that stays small however large the catalog grows: the
    ``limit`` most recently released variants of ``queryset`` (their own release date, else
    their version's) and those ``keys`` name (family, version and variant slugs), in
    ``queryset``'s order, which must join ``version__family``. One query.

    Returns the variants and whether others were left out.
    """
    from django.db.models import F, Q

    released = Coalesce("release_date", "version__release_date")
    recent = (
        queryset.annotate(picker_released=released)
        .order_by(F("picker_released").desc(nulls_last=True), "-pk")
        .values("pk")[: limit + 1]
    )
    named = Q(pk__in=[])
    for family, version, variant in keys:
        named |= Q(version__family__slug=family, version__slug=version, slug=variant)
    rows = list(queryset.annotate(picker_released=released).filter(Q(pk__in=recent) | named))
    # Without the named ones, the rows are the ``limit`` + 1 most recent: more than ``limit``
    # rows means the catalog has more than the picker lists.
    by_recency = sorted(
        rows,
        key=lambda v: (
            v.picker_released is None,
            -(v.picker_released.toordinal() if v.picker_released else 0),
            -v.pk,
        ),
    )
    wanted = {"/".join(key) for key in keys}
    kept = {v.pk for v in by_recency[:limit]} | {v.pk for v in rows if variant_key(v) in wanted}
    return [v for v in rows if v.pk in kept], len(rows) > limit


def _readable(value):
    if isinstance(value, int) and not isinstance(value, bool):
        return number_format(value, force_grouping=True)
    return value


def upstream_conflicts(variant, *, user) -> list[dict]:
    """Pending release candidates whose upstream values disagree with ``variant``'s curated
    ones, for editors only (one query; none for anyone who cannot review candidates)."""
    from catalog.ingest.diff import field_label
    from catalog.models import ReleaseCandidate

    if user is None or not user.has_perm("catalog.change_releasecandidate"):
        return []
    conflicts = []
    for candidate in ReleaseCandidate.objects.filter(
        variant=variant, status=ReleaseCandidate.Status.PENDING
    ).only("pk", "source", "upstream_id", "diff"):
        rows = []
        for name, change in candidate.diff.items():
            label = field_label(name)
            rows.append(
                {
                    "field": name,
                    "label": label,
                    "current": _readable(change.get("current")),
                    "upstream": _readable(change.get("upstream")),
                }
            )
        if rows:
            conflicts.append({"candidate": candidate, "rows": rows})
    return conflicts
