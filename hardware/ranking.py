"""Every variant on one piece of hardware: fitting ones ranked, the others closest first.

The "can I run it" page (hardware/views/fit.py) and the MCP tool ``recommend_hardware``
(assistants/) both rank with these, so they give the same answer."""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils.translation import gettext_lazy

from catalog.architecture import variant_architecture
from catalog.effective import effective_context_tokens
from catalog.keys import variant_key
from catalog.models import ModelVariant
from core.templatetags.registry import tokens as format_tokens
from estimator import (
    Architecture,
    EstimateError,
    EstimateOptions,
    ParameterCount,
    ProfileSpec,
    count_parameters,
    estimate,
)
from estimator.memory import kv_replication
from hardware import selectors
from hardware.forms import FitSort

SPEED_ASSUMPTION = gettext_lazy(
    "Decode speed is an estimate for one sequence with llama.cpp on one GPU, or with the model "
    "split by layers over several (which is not faster for one sequence), calibrated against "
    "published measurements of NVIDIA GPUs and Apple silicon; other accelerators show none. "
    "Reading the prompt (prefill) is not included."
)
FIT_ASSUMPTION = gettext_lazy(
    # xgettext:no-python-format
    "A model fits when, per accelerator, its share of the weights, KV cache, activations and "
    "1 GiB of runtime overhead stays within 90% of the memory (75% on Apple unified memory). "
    "Several accelerators split the model with tensor parallelism, which needs their count to "
    "divide the attention heads; fine-tuning shards everything (ZeRO-3/FSDP)."
)
NO_ARCHITECTURE = gettext_lazy("No architecture numbers to estimate from.")
CONTEXT_OVER_MAXIMUM = gettext_lazy("Beyond this model's maximum context (%(maximum)s).")
FITS_SHOWN = 3  # smallest fitting profiles listed per variant on the compare page


@dataclass(frozen=True)
class ProfileFit:
    """How one hardware profile fares with one estimate (from ``Fit.as_dict()``)."""

    slug: str
    name: str
    count: int
    per_device_bytes: int
    usable_bytes: int
    fits: bool
    decode_per_sequence: float | None  # the realistic estimate (estimator/speed.py)
    decode_aggregate: float | None
    heads_mismatch: bool
    decode_upper_bound: float | None = None  # the bandwidth roofline
    first_token_s: float | None = None  # time to first token (estimator/speed.py)
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
            decode_upper_bound=answer.get("decode_tokens_per_s_upper_bound"),
            first_token_s=answer.get("time_to_first_token_s"),
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
    max_context = effective_context_tokens(variant)
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
        arch = variant_architecture(variant)
        if arch is None:
            skipped.append(variant)
            continue
        rows.append(fit_row(variant, arch, count_parameters(arch), options, spec))
    fitting, missing = rank(rows, sort)
    return fitting, missing, skipped


def hardware_fit(variants, options: EstimateOptions) -> list[dict]:
    """Memory and the smallest fitting profiles of each variant: the estimator in memory on
    the published profiles, loaded once (one query for any number of variants)."""
    profiles = selectors.profile_specs()
    names = {spec.slug: profile.localized("name") for profile, spec in profiles}
    specs = [spec for _profile, spec in profiles]
    results = []
    for variant in variants:
        arch = variant_architecture(variant)
        if arch is None:
            results.append({"error": str(NO_ARCHITECTURE)})
            continue
        try:
            result = estimate(arch, options, specs)
        except EstimateError as exc:
            results.append({"error": str(exc)})
            continue
        fitting = sorted(
            (fit for fit in result.fits if fit.fits),
            key=lambda f: (f.profile.memory_bytes, f.profile.count, f.profile.slug),
        )[:FITS_SHOWN]
        maximum = variant.effective_context
        results.append(
            {
                "total_bytes": result.memory.total_bytes,
                "weights_bytes": result.memory.weights_bytes,
                "kv_cache_bytes": result.memory.kv_cache_bytes,
                "note": str(CONTEXT_OVER_MAXIMUM % {"maximum": format_tokens(maximum)})
                if maximum and options.context_tokens > maximum
                else "",
                "fitting": [
                    {
                        "slug": fit.profile.slug,
                        "name": names.get(fit.profile.slug, fit.profile.name),
                        "per_device_bytes": fit.per_device_bytes,
                        "tokens_per_s": fit.decode_tokens_per_s_per_sequence,
                    }
                    for fit in fitting
                ],
            }
        )
    return results
