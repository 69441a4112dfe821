"""Reads for the hardware app: the estimator's inputs, fetched in a fixed number of queries."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import F, QuerySet

from catalog.models import Citation, ModelVariant
from catalog.selectors import VARIANT_PARENTS, variant_list, visible
from core.choices import PublicationStatus
from estimator import AcceleratorSpec, ProfileSpec
from hardware.models import (
    Accelerator,
    HardwareProfile,
    Recommendation,
    RecomputeRun,
    SizeTier,
    Workload,
)

# Largest first, and a variant of unknown size after every known one (PostgreSQL would put
# NULL first when descending).
LARGEST_FIRST = (F("total_parameters").desc(nulls_last=True), "name", "pk")


def variants_for_recommendations(variant_ids: list[int] | None = None) -> QuerySet[ModelVariant]:
    """Published variants of published versions of published families (one query)."""
    queryset = ModelVariant.objects.filter(
        status=PublicationStatus.PUBLISHED,
        version__status=PublicationStatus.PUBLISHED,
        version__family__status=PublicationStatus.PUBLISHED,
    ).select_related("version")
    if variant_ids is not None:
        queryset = queryset.filter(pk__in=variant_ids)
    return queryset.order_by("pk")


def _bandwidth(value: Decimal | None) -> int | None:
    return int(value * 10**9) if value else None


def profile_specs() -> list[tuple[HardwareProfile, ProfileSpec]]:
    """Published profiles of published accelerators as the estimator's specs (one query)."""
    profiles = (
        HardwareProfile.objects.filter(
            status=PublicationStatus.PUBLISHED, accelerator__status=PublicationStatus.PUBLISHED
        )
        .select_related("accelerator")
        .order_by("pk")
    )
    specs = []
    for profile in profiles:
        spec = accelerator_spec(profile.accelerator)
        specs.append((profile, ProfileSpec(profile.slug, profile.name, spec, profile.count)))
    return specs


def recommendations_for(variant_ids: list[int] | None) -> QuerySet[Recommendation]:
    queryset = Recommendation.objects.all()
    if variant_ids is not None:
        queryset = queryset.filter(variant_id__in=variant_ids)
    return queryset.only(
        "pk", "variant_id", "workload", "precision", "context_tokens", "batch", "input_digest"
    )


def latest_recompute_run():
    return RecomputeRun.objects.order_by("-created_at", "-pk").first()


def accelerator_list(*, user=None):
    return visible(Accelerator.objects.all(), user)


def accelerator_count(*, user=None) -> int:
    """Visible accelerators, counted in one aggregate query (the home page's figure)."""
    from django.db.models import Count

    return accelerator_list(user=user).order_by().aggregate(n=Count("pk"))["n"]


def accelerator_detail(*, user=None):
    return accelerator_list(user=user).prefetch_related(_citations())


def profile_list(*, user=None):
    return visible(
        HardwareProfile.objects.select_related("accelerator"), user, path="accelerator__"
    )


def profile_detail(*, user=None):
    return profile_list(user=user).prefetch_related(_citations())


def size_tier_list(*, user=None):
    return visible(SizeTier.objects.all(), user)


def size_tier_detail(*, user=None):
    return size_tier_list(user=user).prefetch_related(_citations())


def recommendation_list(*, user=None):
    """Recommendations of visible variants, with the variant's keys and the smallest profile."""

    variants = visible(ModelVariant.objects.all(), user, path=VARIANT_PARENTS)
    return Recommendation.objects.filter(variant__in=variants).select_related(
        "variant__version__family", "smallest_profile"
    )


def _citations():
    from django.db.models import Prefetch

    return Prefetch("citations", queryset=Citation.objects.select_related("source"))


def variant_recommendations(variant) -> QuerySet[Recommendation]:
    """The stored recommendations of one variant with their smallest profile and its
    accelerator (one query): inference first, then LoRA, QLoRA and full fine-tuning; within a
    workload the largest weights first (BF16 before INT4), then by context."""
    from django.db.models import Case, IntegerField, Value, When

    workload_order = Case(
        *(When(workload=key, then=Value(i)) for i, key in enumerate(Workload.values)),
        default=Value(len(Workload.values)),
        output_field=IntegerField(),
    )
    return (
        Recommendation.objects.filter(variant=variant)
        .select_related("smallest_profile__accelerator")
        .order_by(workload_order, "-weights_bytes", "precision", "context_tokens", "pk")
    )


# -- the hardware pages ("can I run it", profiles, sizing) ------------------------------------


def accelerator_spec(accelerator: Accelerator) -> AcceleratorSpec:
    """The estimator's view of one accelerator (no query): memory in bytes from the datasheet's
    GiB, bandwidth in bytes per second and dense 16-bit FLOP/s (``None`` where the vendor
    publishes none)."""
    return AcceleratorSpec(
        slug=accelerator.slug,
        name=str(accelerator),
        memory_bytes=accelerator.memory_bytes,
        bandwidth_bytes_per_s=_bandwidth(accelerator.memory_bandwidth_gbps),
        form=accelerator.form,
        vendor=accelerator.vendor,
        dense_flops_per_s=float(accelerator.bf16_dense_tflops) * 1e12
        if accelerator.bf16_dense_tflops
        else None,
    )


def grid_recommendations(
    variant_ids: list[int], *, workload: str, precision: str, context_tokens: int, batch: int = 1
) -> QuerySet[Recommendation]:
    """The stored recommendations of ``variant_ids`` for one point of the grid (one query)."""
    return Recommendation.objects.filter(
        variant_id__in=variant_ids,
        workload=workload,
        precision=precision,
        context_tokens=context_tokens,
        batch=batch,
    ).only("pk", "variant_id", "total_bytes", "fitting_profiles", "breakdown", "computed_at")


def profile_recommendations(
    profile: HardwareProfile, *, user=None, context_tokens: int
) -> QuerySet[Recommendation]:
    """Inference recommendations of visible variants that fit ``profile`` at ``context_tokens``
    (one query), largest variants first, with ``profile_fit``: the profile's entry of the
    stored breakdown (per-device bytes, headroom, decode speed) picked out in the database, so
    the rest of the breakdown is not fetched."""
    from django.db.models import JSONField
    from django.db.models.expressions import RawSQL

    # Constant SQL; the slug travels as a parameter.
    profile_fit = RawSQL(  # noqa: S611
        f"jsonb_path_query_first({Recommendation._meta.db_table}.breakdown, "
        "'$.fits[*] ? (@.profile == $slug)', jsonb_build_object('slug', %s::text))",
        [profile.slug],
        output_field=JSONField(),
    )
    return (
        recommendation_list(user=user)
        .filter(
            workload="inference",
            context_tokens=context_tokens,
            fitting_profiles__contains=[profile.slug],
        )
        .defer("breakdown", "input_digest")
        .annotate(profile_fit=profile_fit)
        .order_by(
            "precision",
            F("variant__total_parameters").desc(nulls_last=True),
            "variant__name",
            "pk",
        )
    )


def variants_sized_between(ranges: list[tuple[int, int]], *, user=None) -> QuerySet[ModelVariant]:
    """Visible variants whose total parameters fall in any of ``ranges`` (inclusive bounds),
    with their version and family, smallest first (one query)."""
    from django.db.models import Q

    condition = Q(pk__in=[])
    for low, high in ranges:
        condition |= Q(total_parameters__gte=low, total_parameters__lte=high)
    return variant_list(user=user).filter(condition).order_by("total_parameters", "name", "pk")
