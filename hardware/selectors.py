"""Reads for the hardware app: the estimator's inputs, fetched in a fixed number of queries."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from django.db.models import QuerySet

from catalog.choices import PublicationStatus
from catalog.models import ModelVariant
from catalog.models.families import ARCHITECTURE_FIELDS
from hardware.estimator import (
    AcceleratorSpec,
    Architecture,
    ConfigError,
    ProfileSpec,
    architecture_from_numbers,
    parse_config,
)
from hardware.models import Accelerator, HardwareProfile, Recommendation, SizeTier

GIB = 1024**3
_NUMBER_FIELDS = (
    "num_layers",
    "hidden_size",
    "num_attention_heads",
    "intermediate_size",
    "vocab_size",
)


def variant_architecture(variant: ModelVariant) -> Architecture | None:
    """The variant's architecture: its config.json when there is one, with the curated numbers
    taking precedence; ``None`` when neither gives the numbers the estimator needs."""
    numbers = {f: getattr(variant, f) for f in ARCHITECTURE_FIELDS}
    if variant.config:
        try:
            parsed = parse_config(variant.config)
        except ConfigError:
            parsed = None
        if parsed is not None:
            curated = {k: v for k, v in numbers.items() if v not in (None, "")}
            curated.pop("model_type", None)
            return dataclasses.replace(parsed, **curated)
    if any(numbers[f] is None for f in _NUMBER_FIELDS):
        return None
    try:
        return architecture_from_numbers(numbers)
    except ConfigError:
        return None


def variants_for_recommendations(variant_ids: list[int] | None = None) -> QuerySet[ModelVariant]:
    """Published variants of published versions (one query)."""
    queryset = ModelVariant.objects.filter(
        status=PublicationStatus.PUBLISHED, version__status=PublicationStatus.PUBLISHED
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
        accelerator = profile.accelerator
        spec = AcceleratorSpec(
            slug=accelerator.slug,
            name=str(accelerator),
            memory_bytes=int(accelerator.memory_gib * GIB),
            bandwidth_bytes_per_s=_bandwidth(accelerator.memory_bandwidth_gbps),
            form=accelerator.form,
        )
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
    from hardware.models import RecomputeRun

    return RecomputeRun.objects.order_by("-created_at", "-pk").first()


def accelerator_list(*, user=None):
    from catalog.selectors import visible

    return visible(Accelerator.objects.all(), user)


def accelerator_detail(*, user=None):
    return accelerator_list(user=user).prefetch_related(_citations())


def profile_list(*, user=None):
    from catalog.selectors import visible

    return visible(
        HardwareProfile.objects.select_related("accelerator"), user, path="accelerator__"
    )


def profile_detail(*, user=None):
    return profile_list(user=user).prefetch_related(_citations())


def size_tier_list(*, user=None):
    from catalog.selectors import visible

    return visible(SizeTier.objects.all(), user)


def size_tier_detail(*, user=None):
    return size_tier_list(user=user).prefetch_related(_citations())


def recommendation_list(*, user=None):
    """Recommendations of visible variants, with the variant's keys and the smallest profile."""
    from catalog.selectors import visible

    variants = visible(ModelVariant.objects.all(), user, path="version__")
    return Recommendation.objects.filter(variant__in=variants).select_related(
        "variant__version__family", "smallest_profile"
    )


def _citations():
    from django.db.models import Prefetch

    from catalog.models import Citation

    return Prefetch("citations", queryset=Citation.objects.select_related("source"))
