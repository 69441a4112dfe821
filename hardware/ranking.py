"""Every variant on one piece of hardware: fitting ones ranked, the others closest first.

The "can I run it" page (hardware/views/fit.py) and the MCP tool ``recommend_hardware``
(llmregistry/mcp_server) both rank with these, so they give the same answer."""

from __future__ import annotations

import math
from dataclasses import dataclass

from catalog.models import ModelVariant
from hardware import selectors
from hardware.estimator import (
    Architecture,
    EstimateOptions,
    ParameterCount,
    ProfileSpec,
    count_parameters,
    estimate,
)
from hardware.estimator.memory import kv_replication
from hardware.forms import FitSort
from hardware.services import variant_max_context
from licenses.forms import variant_key


@dataclass(frozen=True)
class ProfileFit:
    """How one hardware profile fares with one estimate (from ``Fit.as_dict()``)."""

    slug: str
    name: str
    count: int
    per_device_bytes: int
    usable_bytes: int
    fits: bool
    decode_per_sequence: float | None
    decode_aggregate: float | None
    heads_mismatch: bool
    link: bool = True
    smallest: bool = False

    @classmethod
    def from_answer(cls, answer: dict, *, link: bool = True, smallest: str = "") -> ProfileFit:
        return cls(
            slug=answer["profile"],
            name=answer["name"],
            count=answer["count"],
            per_device_bytes=answer["per_device_bytes"],
            usable_bytes=answer["usable_bytes"],
            fits=answer["fits"],
            decode_per_sequence=answer["decode_tokens_per_s_per_sequence"],
            decode_aggregate=answer["decode_tokens_per_s_aggregate"],
            # The estimator refuses tensor parallelism before counting memory.
            heads_mismatch=not answer["fits"] and answer["per_device_bytes"] == 0,
            link=link,
            smallest=answer["profile"] == smallest,
        )

    @property
    def headroom_bytes(self) -> int:
        return self.usable_bytes - self.per_device_bytes

    @property
    def missing_bytes(self) -> int:
        return max(self.per_device_bytes - self.usable_bytes, 0)

    @property
    def headroom_percent(self) -> float:
        return 100 * self.headroom_bytes / self.usable_bytes if self.usable_bytes else 0.0


@dataclass
class FitRow:
    """One variant on the chosen hardware."""

    variant: ModelVariant
    parameters: ParameterCount
    memory_bytes: int  # all accelerators together
    fit: ProfileFit
    max_context: int | None
    beyond_context: bool
    chart_segments: tuple[int, int, int] = (0, 0, 0)  # per device: weights, KV cache, the rest

    @property
    def fits(self) -> bool:
        return self.fit.fits and not self.beyond_context

    @property
    def key(self) -> str:
        return variant_key(self.variant)


def hardware_spec(cleaned: dict) -> ProfileSpec | None:
    accelerator, profile = cleaned.get("accelerator"), cleaned.get("profile")
    if accelerator is not None:
        count = cleaned.get("count") or 1
        return ProfileSpec(
            slug=f"{count}x-{accelerator.slug}",
            name=f"{count} × {accelerator}",
            accelerator=selectors.accelerator_spec(accelerator),
            count=count,
        )
    if profile is not None:
        return ProfileSpec(
            slug=profile.slug,
            name=profile.name,
            accelerator=selectors.accelerator_spec(profile.accelerator),
            count=profile.count,
        )
    return None


def fit_row(
    variant: ModelVariant,
    arch: Architecture,
    params: ParameterCount,
    options: EstimateOptions,
    spec: ProfileSpec,
) -> FitRow:
    result = estimate(arch, options, [spec], parameters=params)
    memory = result.memory
    fit = ProfileFit.from_answer(result.fits[0].as_dict(), link=False)
    max_context = variant_max_context(variant)
    count = spec.count
    weights = math.ceil(memory.weights_bytes / count)
    kv = memory.kv_cache_bytes
    if options.workload == "inference":
        kv = math.ceil(kv * kv_replication(arch, count))
    kv = math.ceil(kv / count)
    rest = max(fit.per_device_bytes - weights - kv, 0)
    return FitRow(
        variant=variant,
        parameters=params,
        memory_bytes=memory.total_bytes,
        fit=fit,
        max_context=max_context,
        beyond_context=max_context is not None and options.context_tokens > max_context,
        chart_segments=(weights, kv, rest) if fit.per_device_bytes else (0, 0, 0),
    )


def closeness(row: FitRow) -> tuple:
    """Misses by memory first, the smallest shortfall first (a bigger card or a lower precision
    away); then models whose context limit is below the one asked, the longest first; last the
    ones whose attention heads the accelerator count cannot split."""
    if row.fit.heads_mismatch:
        return (2, 0, row.variant.name)
    if row.beyond_context:
        return (1, -(row.max_context or 0), row.variant.name)
    return (0, row.fit.missing_bytes, row.variant.name)


def rank(rows: list[FitRow], sort: str) -> tuple[list[FitRow], list[FitRow]]:
    """Fitting rows in the chosen order; the others closest to fitting first."""
    keys = {
        FitSort.PARAMETERS: lambda r: (-r.parameters.total, r.variant.name),
        FitSort.HEADROOM: lambda r: (-r.fit.headroom_bytes, r.variant.name),
        FitSort.SPEED: lambda r: (-(r.fit.decode_per_sequence or 0), r.variant.name),
        FitSort.MEMORY: lambda r: (r.fit.per_device_bytes, r.variant.name),
    }
    fitting = sorted((r for r in rows if r.fits), key=keys.get(sort, keys[FitSort.PARAMETERS]))
    missing = sorted((r for r in rows if not r.fits), key=closeness)
    return fitting, missing


def rank_variants(
    variants, spec: ProfileSpec, options: EstimateOptions, sort: str
) -> tuple[list[FitRow], list[FitRow], list[ModelVariant]]:
    """``variants`` on ``spec``: the fitting rows in ``sort`` order, the others closest first,
    and the variants without architecture numbers (skipped). Raises the estimator's
    ``EstimateError`` for options it refuses."""
    rows, skipped = [], []
    for variant in variants:
        arch = selectors.variant_architecture(variant)
        if arch is None:
            skipped.append(variant)
            continue
        rows.append(fit_row(variant, arch, count_parameters(arch), options, spec))
    fitting, missing = rank(rows, sort)
    return fitting, missing, skipped
