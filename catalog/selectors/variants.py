"""Reads of the variants: the API's resource and its list, the model list, the variant page
(derived features, citations, editors' pending upstream conflicts)."""

from django.db.models import BooleanField, Case, ExpressionWrapper, F, Prefetch, QuerySet, When
from django.db.models.functions import Coalesce
from django.utils.formats import number_format

from catalog.effective import effective_context_expression
from catalog.filters import DERIVED_FEATURES
from catalog.ingest.diff import field_label
from catalog.models import ArchitectureFeature, ModelVariant, ReleaseCandidate
from catalog.selectors.citations import citations
from catalog.selectors.visibility import VARIANT_PARENTS, visible


def effective_precision_expression() -> Case:
    """How precise a variant's effective release date is: its own date's precision where it
    has one, else its version's."""
    return Case(
        When(release_date__isnull=False, then=F("release_date_precision")),
        default=F("version__release_date_precision"),
    )


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
            effective_release_date_precision=effective_precision_expression(),
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
    "version__release_date_precision",
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


def variant_list_rows(*, user=None) -> QuerySet[ModelVariant]:
    """:func:`variant_list_page` of visible families, with the licences' Chinese names (the
    model list shows them under zh-hans)."""
    return variant_list_page(user=user).only(
        *VARIANT_LIST_COLUMNS, "license__name_zh", "version__license__name_zh"
    )


def variant_detail(*, user=None) -> QuerySet[ModelVariant]:
    return variant_list(user=user).prefetch_related(
        citations(),
        Prefetch("version__features", queryset=ArchitectureFeature.objects.order_by("slug")),
    )


# -- the variant page ----------------------------------------------------------------------------


def _derived_name(slug: str) -> str:
    return "derived_" + slug.replace("-", "_")


def with_derived_features(queryset: QuerySet[ModelVariant]) -> QuerySet[ModelVariant]:
    """Annotate each variant with one ``derived_<slug>`` boolean per derivable feature.

    The conditions are ``catalog.filters.DERIVED_FEATURES``, the ones the API's ``feature``
    and ``attention`` filters use, so a page and the API never disagree on what a variant's
    numbers show. Read them back with :func:`derived_features_of`.
    """
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
    if variant.num_attention_heads is None:
        return []
    return [slug for slug in DERIVED_FEATURES if getattr(variant, _derived_name(slug), False)]


def variant_for_page(*, user=None) -> QuerySet[ModelVariant]:
    """Variants for the variant page: ``variant_list`` (version, family, organisation and both
    licences joined) of visible families, with derived features, the variant's citations and
    the citations of its own and its version's licence (their quoted clauses)."""
    return with_derived_features(variant_list(user=user)).prefetch_related(
        citations(),
        citations("license__citations"),
        citations("version__license__citations"),
    )


def _readable(value):
    if isinstance(value, int) and not isinstance(value, bool):
        return number_format(value, force_grouping=True)
    return value


def upstream_conflicts(variant, *, user) -> list[dict]:
    """Pending release candidates whose upstream values disagree with ``variant``'s curated
    ones, for editors only (one query; none for anyone who cannot review candidates)."""
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
