"""Reads of the catalog: the only place that joins, prefetches and annotates."""

from django.db.models import Prefetch, QuerySet
from django.db.models.functions import Coalesce

from catalog.choices import PublicationStatus
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


def visible(queryset: QuerySet, user, *, path: str = "") -> QuerySet:
    """Editors see every record; everyone else only published ones (and their parents)."""
    if (
        user is not None
        and user.is_authenticated
        and user.has_perm(
            f"{queryset.model._meta.app_label}.view_{queryset.model._meta.model_name}"
        )
    ):
        return queryset
    condition = {"status": PUBLISHED}
    if path:
        condition[f"{path}status"] = PUBLISHED
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
    """Variants with their version, family, organisation and effective licence, and the
    effective values filters and ordering use (the variant's own, else its version's)."""
    return visible(
        ModelVariant.objects.select_related(
            "version__family__organization", "version__license", "license"
        ).annotate(
            effective_context=Coalesce("version__max_context_tokens", "max_position_embeddings"),
            effective_release_date=Coalesce("release_date", "version__release_date"),
            effective_license_id=Coalesce("license_id", "version__license_id"),
            effective_active_parameters=Coalesce("active_parameters", "total_parameters"),
        ),
        user,
        path="version__",
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
    """Ancestors and descendants of ``variant`` (all generations), edges in two queries per
    generation (lineage graphs are shallow)."""
    shown = visible(ModelVariant.objects.all(), user, path="version__")
    edges = Lineage.objects.select_related("parent__version__family", "child__version__family")

    def walk(direction: str) -> list[Lineage]:
        found, frontier, seen = [], {variant.pk}, {variant.pk}
        while frontier:
            if direction == "up":
                step = list(edges.filter(child_id__in=frontier, parent__in=shown))
                nxt = {e.parent_id for e in step}
            else:
                step = list(edges.filter(parent_id__in=frontier, child__in=shown))
                nxt = {e.child_id for e in step}
            found += step
            frontier = nxt - seen
            seen |= nxt
        return found

    return {"ancestors": walk("up"), "descendants": walk("down")}
