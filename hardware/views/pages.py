"""Accelerators, hardware profiles and the seed's sizing table beside computed figures."""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from catalog.architecture import variant_architecture
from catalog.models import ModelVariant
from catalog.precision_labels import precision_label
from estimator import (
    ESTIMATOR_VERSION,
    Estimate,
    EstimateOptions,
    ProfileSpec,
    count_parameters,
    estimate,
)
from estimator.size_tiers import TierFigure, parse_seed_range, tier_figures
from hardware import selectors
from hardware.filters import AcceleratorFilterSet
from hardware.forms import ProfileContextForm
from hardware.services import INFERENCE_CONTEXTS, INFERENCE_PRECISIONS
from hardware.views._common import SPEED_ASSUMPTION, _gb_text

PROFILE_ROWS_PER_PRECISION = 25  # a profile page lists this many variants per precision
# Representative catalog variants of a size tier: total parameters within a factor of 1.25
# of the tier's (symmetric on a log scale: 7B takes 5.6B-8.75B, 70B takes 56B-87.5B).
TIER_SPREAD = Fraction(5, 4)
TIER_REPRESENTATIVES = 4
# The seed's inference column gives FP16 sizes; BF16 takes the same two bytes per weight.
TIER_PRECISION = "bf16"
TIER_QUANTISED_PRECISION = "awq-int4"
TIER_CONTEXT = 4096


def _total_memory_gib(profile) -> object:
    return profile.accelerator.memory_gib * profile.count


@require_http_methods(["GET", "HEAD"])
def index(request):
    """Accelerators (filtered with the API's AcceleratorFilterSet) and the hardware profiles
    built from them, in two queries."""
    filterset = AcceleratorFilterSet(
        request.GET or None, queryset=selectors.accelerator_list(user=request.user)
    )
    accelerators = list(filterset.qs)
    profiles = sorted(
        selectors.profile_list(user=request.user).filter(accelerator__in=filterset.qs),
        key=lambda p: (_total_memory_gib(p), p.count, p.name),
    )
    for profile in profiles:
        profile.total_memory_gib = _total_memory_gib(profile)
    status = 400 if filterset.is_bound and filterset.errors else 200
    return render(
        request,
        "hardware/index.html",
        {
            "filterset": filterset,
            "accelerators": accelerators,
            "profiles": profiles,
            "ordering": request.GET.get("ordering", ""),
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD"])
def accelerator_detail(request, slug: str):
    """One accelerator's datasheet figures with their sources, and the profiles built on it."""
    accelerator = get_object_or_404(selectors.accelerator_detail(user=request.user), slug=slug)
    profiles = list(selectors.profile_list(user=request.user).filter(accelerator=accelerator))
    for profile in profiles:
        profile.total_memory_gib = _total_memory_gib(profile)
    fit_url = reverse("hardware:fit") + f"?accelerator={accelerator.slug}&count=1"
    return render(
        request,
        "hardware/accelerator_detail.html",
        {"accelerator": accelerator, "profiles": profiles, "fit_url": fit_url},
    )


@dataclass
class PrecisionGroup:
    precision: str
    label: str
    rows: list
    total: int
    more_url: str


@require_http_methods(["GET", "HEAD"])
def profile_detail(request, slug: str):
    """One hardware profile: its accelerator, memory and sources, and the variants whose stored
    recommendations fit it at a context, grouped by precision (one query for all of them)."""
    profile = get_object_or_404(selectors.profile_detail(user=request.user), slug=slug)
    form = ProfileContextForm(request.GET or None)
    status = 200
    context_tokens = INFERENCE_CONTEXTS[0]
    if form.is_bound:
        if form.is_valid():
            context_tokens = form.cleaned_data["context_tokens"]
        else:
            status = 400
    rows = list(
        selectors.profile_recommendations(profile, user=request.user, context_tokens=context_tokens)
    )
    by_precision: dict[str, list] = {}
    for row in rows:
        by_precision.setdefault(row.precision, []).append(row)
    order = [*INFERENCE_PRECISIONS, *sorted(set(by_precision) - set(INFERENCE_PRECISIONS))]
    fit_url = reverse("hardware:fit")
    groups = [
        PrecisionGroup(
            precision=key,
            label=precision_label(key),
            rows=by_precision[key][:PROFILE_ROWS_PER_PRECISION],
            total=len(by_precision[key]),
            more_url=f"{fit_url}?profile={profile.slug}&precision={key}"
            f"&context_tokens={context_tokens}",
        )
        for key in order
        if key in by_precision
    ]
    return render(
        request,
        "hardware/profile_detail.html",
        {
            "profile": profile,
            "total_memory_gib": _total_memory_gib(profile),
            "form": form,
            "context_tokens": context_tokens,
            "groups": groups,
            "fit_url": f"{fit_url}?profile={profile.slug}",
            "speed_assumption": SPEED_ASSUMPTION,
        },
        status=status,
    )


# -- the seed's sizing table ----------------------------------------------------------------


@dataclass
class TierVariant:
    variant: ModelVariant
    parameters: int
    memory_bytes: int
    weights_bytes: int
    smallest: ProfileSpec | None
    quantised_bytes: int
    quantised_smallest: ProfileSpec | None
    disagrees: bool

    @property
    def memory_gb(self) -> str:
        return _gb_text(self.memory_bytes)

    @property
    def quantised_gb(self) -> str:
        return _gb_text(self.quantised_bytes)


@dataclass
class TierRow:
    tier: object
    figures: dict
    representatives: list[TierVariant]
    seed_inference_low: int | None
    seed_inference_high: int | None


def _tier_bounds(tier) -> tuple[int, int]:
    params = Fraction(str(tier.parameters_billion)) * 10**9
    return int(params / TIER_SPREAD), int(params * TIER_SPREAD)


def _smallest(result: Estimate) -> ProfileSpec | None:
    best = result.smallest
    return best.profile if best else None


@require_http_methods(["GET", "HEAD"])
def sizing(request):
    """The seed's sizing table, cell by cell, beside what the estimator computes: the tier's
    lower bounds (estimator.size_tiers, as the API's size-tier detail) and, for the
    catalog's variants of about that size, the memory at the seed's FP16 and at INT4 with
    the smallest published profile that fits. Four queries whatever the number of tiers."""
    tiers = list(selectors.size_tier_detail(user=request.user))
    bounds = [_tier_bounds(t) for t in tiers]
    variants = list(selectors.variants_sized_between(bounds, user=request.user)) if tiers else []
    specs = [spec for _, spec in selectors.profile_specs()] if tiers else []
    rows = []
    for tier, (low, high) in zip(tiers, bounds, strict=True):
        figures = {
            f.key: {"figure": f, "gb": _gb_text(f.computed_bytes)}
            for f in tier_figures(
                tier.parameters_billion,
                training_memory=tier.training_memory,
                inference_memory=tier.inference_memory,
            )
        }
        seed_low, seed_high = parse_seed_range(tier.inference_memory)
        target = float(tier.parameters_billion) * 10**9
        # The catalog's models nearest the tier's size (ratio, either side) are its examples.
        nearest = sorted(
            (v for v in variants if low <= (v.total_parameters or 0) <= high),
            key=lambda v: (abs(math.log(v.total_parameters / target)), v.name),
        )
        representatives, seen = [], set()
        for variant in nearest:
            arch = variant_architecture(variant)
            if arch is None:
                continue
            params = count_parameters(arch)
            # Base and chat checkpoints share an architecture: show one of each size.
            if params.total in seen:
                continue
            seen.add(params.total)
            full = estimate(
                arch,
                EstimateOptions(precision=TIER_PRECISION, context_tokens=TIER_CONTEXT),
                specs,
                parameters=params,
            )
            quantised = estimate(
                arch,
                EstimateOptions(precision=TIER_QUANTISED_PRECISION, context_tokens=TIER_CONTEXT),
                specs,
                parameters=params,
            )
            # The seed's cell holds the computed total or not, by the same rule as the tier's
            # own lower bounds (a closed range must leave room; an open one may not understate).
            check = TierFigure(
                "inference",
                "",
                full.memory.total_bytes,
                tier.inference_memory,
                seed_low,
                seed_high,
                "",
            )
            representatives.append(
                TierVariant(
                    variant=variant,
                    parameters=params.total,
                    memory_bytes=full.memory.total_bytes,
                    weights_bytes=full.memory.weights_bytes,
                    smallest=_smallest(full),
                    quantised_bytes=quantised.memory.total_bytes,
                    quantised_smallest=_smallest(quantised),
                    disagrees=check.disagrees,
                )
            )
            if len(representatives) == TIER_REPRESENTATIVES:
                break
        representatives.sort(key=lambda r: (r.parameters, r.variant.name))
        rows.append(TierRow(tier, figures, representatives, seed_low, seed_high))
    sources = {}
    for tier in tiers:
        for citation in tier.citations.all():
            sources.setdefault(citation.source.url, citation.source)
    return render(
        request,
        "hardware/sizing.html",
        {
            "rows": rows,
            "sources": list(sources.values()),
            "tier_context": TIER_CONTEXT,
            "tier_spread": float(TIER_SPREAD),
            "estimator_version": ESTIMATOR_VERSION,
        },
    )
