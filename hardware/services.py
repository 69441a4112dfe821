"""Writes of the hardware app: recomputing recommendations, and the estimate for any config."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from catalog.architecture import variant_architecture
from catalog.effective import effective_context_tokens
from catalog.models import ModelVariant
from core.statistics import refresh_statistics_on_commit
from estimator import (
    ESTIMATOR_VERSION,
    ConfigError,
    Estimate,
    EstimateError,
    EstimateOptions,
    ProfileSpec,
    count_parameters,
    estimate,
    parse_config,
)
from hardware.models import Accelerator, Recommendation, RecomputeRun
from hardware.selectors import (
    accelerator_spec,
    profile_specs,
    recommendations_for,
    variants_for_recommendations,
)

logger = logging.getLogger(__name__)

# The grid every published variant is computed for (contexts capped at the variant's maximum).
INFERENCE_PRECISIONS = ("bf16", "fp8", "awq-int4", "q4_k_m")
INFERENCE_CONTEXTS = (4096, 32768, 131072)
FINE_TUNE_WORKLOADS = ("lora", "qlora", "full")
FINE_TUNE_CONTEXT = 4096
PROGRESS_EVERY = 25  # variants between progress updates of a run


@dataclass
class RecomputeReport:
    variants: int = 0
    written: int = 0
    unchanged: int = 0
    deleted: int = 0
    skipped: list[str] = field(default_factory=list)

    @property
    def changes(self) -> int:
        return self.written + self.deleted


def recommendation_grid(variant: ModelVariant) -> list[EstimateOptions]:
    """The workloads, precisions and contexts a variant gets recommendations for."""
    maximum = effective_context_tokens(variant)
    contexts = [c for c in INFERENCE_CONTEXTS if maximum is None or c <= maximum]
    if not contexts and maximum is not None:  # shorter than every grid context: its own
        contexts = [maximum]
    grid = [
        EstimateOptions(workload="inference", precision=precision, context_tokens=context)
        for precision in INFERENCE_PRECISIONS
        for context in contexts
    ]
    tune_context = min(FINE_TUNE_CONTEXT, maximum or FINE_TUNE_CONTEXT)
    grid += [
        EstimateOptions(workload=workload, context_tokens=tune_context)
        for workload in FINE_TUNE_WORKLOADS
    ]
    return grid


def _options_precision(options: EstimateOptions) -> str:
    return {"lora": "bf16", "qlora": "nf4", "full": "bf16"}.get(options.workload, options.precision)


def _digest(*parts: Any) -> str:
    payload = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def recommendations_recompute(
    *,
    variant_ids: list[int] | None = None,
    run: RecomputeRun | None = None,
    progress: Callable[[Iterable], Iterator] | None = None,
) -> RecomputeReport:
    """Recompute the recommendations of ``variant_ids`` (all published variants when None).

    Loads variants, profiles and existing rows in three queries, computes in memory, then
    writes only rows whose inputs changed (``bulk_create(update_conflicts=True)``) and deletes
    rows no longer wanted, in one transaction: a failure leaves the old rows as they were.
    ``run`` receives progress and the outcome.
    """
    variants = list(variants_for_recommendations(variant_ids))
    profiles = profile_specs()
    specs = [spec for _, spec in profiles]
    profile_ids = {spec.slug: profile.pk for profile, spec in profiles}
    profiles_digest = _digest([json_ready(spec) for spec in specs])
    existing = {
        (r.variant_id, r.workload, r.precision, r.context_tokens, r.batch): r
        for r in recommendations_for(variant_ids)
    }
    report = RecomputeReport(variants=len(variants))
    if run is not None:
        RecomputeRun.objects.filter(pk=run.pk).update(
            status=RecomputeRun.Status.RUNNING,
            started_at=timezone.now(),
            variants_total=len(variants),
        )
    now = timezone.now()
    wanted: dict[tuple, Recommendation] = {}
    iterator = progress(variants) if progress else variants
    for done, variant in enumerate(iterator, start=1):
        arch = variant_architecture(variant)
        if arch is None:
            report.skipped.append(variant.slug)
            continue
        params = count_parameters(arch)
        for options in recommendation_grid(variant):
            key = (
                variant.pk,
                options.workload,
                _options_precision(options),
                options.context_tokens,
                options.batch,
            )
            digest = _digest(
                ESTIMATOR_VERSION, arch.as_dict(), json_ready(options), profiles_digest
            )
            current = existing.get(key)
            if current is not None and current.input_digest == digest:
                wanted[key] = current
                report.unchanged += 1
                continue
            result = estimate(arch, options, specs, parameters=params)
            wanted[key] = _recommendation(variant, result, key, digest, profile_ids, now)
        if run is not None and done % PROGRESS_EVERY == 0:
            RecomputeRun.objects.filter(pk=run.pk).update(variants_done=done)
    to_write = [r for r in wanted.values() if r.pk is None]
    stale = [r.pk for key, r in existing.items() if key not in wanted]
    with transaction.atomic():
        if to_write:
            Recommendation.objects.bulk_create(
                to_write,
                batch_size=500,
                update_conflicts=True,
                unique_fields=["variant", "workload", "precision", "context_tokens", "batch"],
                update_fields=[
                    "total_bytes",
                    "weights_bytes",
                    "kv_cache_bytes",
                    "breakdown",
                    "fitting_profiles",
                    "smallest_profile",
                    "decode_tokens_per_s",
                    "estimator_version",
                    "input_digest",
                    "computed_at",
                ],
            )
        if stale:
            Recommendation.objects.filter(pk__in=stale).delete()
    report.written, report.deleted = len(to_write), len(stale)
    return report


def json_ready(value: Any) -> Any:
    """A JSON-friendly form of a (nested) dataclass for digests."""
    if hasattr(value, "__dataclass_fields__"):
        return {k: json_ready(getattr(value, k)) for k in value.__dataclass_fields__}
    if isinstance(value, Fraction):
        return str(value)
    return value


def _recommendation(variant, result: Estimate, key, digest, profile_ids, now) -> Recommendation:
    memory = result.memory
    smallest = result.smallest
    answer = result.as_dict()
    return Recommendation(
        variant_id=variant.pk,
        workload=key[1],
        precision=key[2],
        context_tokens=key[3],
        batch=key[4],
        total_bytes=memory.total_bytes,
        weights_bytes=memory.weights_bytes,
        kv_cache_bytes=memory.kv_cache_bytes,
        # The assumptions are the same for every row (docs/estimator.md, the API answer);
        # only the fitting profiles are kept.
        breakdown={
            "memory": answer["memory"],
            "terms": [
                {k: t[k] for k in ("key", "bytes", "explanation")} for t in answer["breakdown"]
            ],
            "total_params": answer["total_params"],
            "active_params": answer["active_params"],
            "kv_cache_bytes_per_token": answer["kv_cache_bytes_per_token"],
            "fits": [
                {
                    k: f[k]
                    for k in (
                        "profile",
                        "per_device_bytes",
                        "headroom_bytes",
                        "decode_tokens_per_s_per_sequence",
                    )
                }
                for f in answer["fits"]
                if f["fits"]
            ],
        },
        fitting_profiles=[f.profile.slug for f in result.fits if f.fits],
        smallest_profile_id=profile_ids.get(smallest.profile.slug) if smallest else None,
        decode_tokens_per_s=smallest.decode_tokens_per_s_per_sequence if smallest else None,
        estimator_version=ESTIMATOR_VERSION,
        input_digest=digest,
        computed_at=now,
    )


def recompute_run_start(*, variant_ids: list[int] | None = None) -> RecomputeRun:
    """Record a queued run and enqueue the task after the current transaction commits."""
    from hardware.tasks import recompute_recommendations

    scope = "all" if variant_ids is None else ",".join(map(str, sorted(variant_ids)))[:200]
    run = RecomputeRun.objects.create(scope=scope)
    transaction.on_commit(
        lambda: recompute_recommendations.delay(run_id=run.pk, variant_ids=variant_ids),
        robust=True,
    )
    return run


def recompute_run_execute(*, run_id: int | None, variant_ids: list[int] | None) -> RecomputeRun:
    """Run a recompute, recording its outcome on the run (created when ``run_id`` is None)."""
    run = RecomputeRun.objects.filter(pk=run_id).first() if run_id else None
    if run is None:
        run = RecomputeRun.objects.create(
            scope="all" if variant_ids is None else ",".join(map(str, variant_ids))[:200]
        )
    try:
        report = recommendations_recompute(variant_ids=variant_ids, run=run)
    except Exception as exc:
        RecomputeRun.objects.filter(pk=run.pk).update(
            status=RecomputeRun.Status.FAILED, finished_at=timezone.now(), error=repr(exc)[:4000]
        )
        logger.exception("Recommendation recompute %s failed", run.pk)
        raise
    if variant_ids is None:
        # Runs queued before this one whose task never arrived: their work is done now.
        RecomputeRun.objects.filter(
            status=RecomputeRun.Status.QUEUED, created_at__lt=run.created_at
        ).update(status=RecomputeRun.Status.SUPERSEDED, finished_at=timezone.now())
        # Every recommendation was rewritten: the planner's picture of the table is stale.
        refresh_statistics_on_commit("hardware")
    RecomputeRun.objects.filter(pk=run.pk).update(
        status=RecomputeRun.Status.SUCCEEDED,
        finished_at=timezone.now(),
        variants_done=F("variants_total"),
        rows_written=report.written,
        rows_unchanged=report.unchanged,
        rows_deleted=report.deleted,
        skipped=report.skipped,
    )
    run.refresh_from_db()
    return run


# -- estimates for any config ---------------------------------------------------------------


class EstimateInputError(ValueError):
    """Bad input to an estimate; ``errors`` maps field names to messages."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def estimate_for(
    *,
    config: dict | None = None,
    variant: ModelVariant | None = None,
    options: EstimateOptions,
    accelerator: Accelerator | None = None,
    count: int = 1,
) -> dict:
    """The JSON estimate of a config.json or a catalog variant, fitted on published profiles,
    or on ``count`` of ``accelerator`` alone when one is given.

    Raises :class:`EstimateInputError` with field-keyed messages for bad input.
    """
    if config is not None:
        try:
            arch = parse_config(config)
        except ConfigError as exc:
            field_name = f"config.{exc.field}" if exc.field else "config"
            raise EstimateInputError({field_name: str(exc)}) from None
    elif variant is not None:
        variant_arch = variant_architecture(variant)
        if variant_arch is None:
            raise EstimateInputError(
                {"variant": f"Variant '{variant.slug}' has no architecture numbers to estimate."}
            )
        arch = variant_arch
    else:
        raise TypeError("estimate_for needs a config or a variant")
    if accelerator is not None:
        spec = accelerator_spec(accelerator)
        specs = [ProfileSpec(f"{count}x-{spec.slug}", f"{count} × {spec.name}", spec, count)]
    else:
        specs = [spec for _, spec in profile_specs()]
    try:
        result = estimate(arch, options, specs)
    except EstimateError as exc:
        raise EstimateInputError({exc.field: str(exc)}) from None
    answer = result.as_dict()
    if variant is not None:
        answer["variant"] = variant.slug
    return answer


def profiles_changed() -> None:
    """Accelerators or profiles changed: every recommendation's fit may change."""
    recompute_run_start(variant_ids=None)


def variants_changed(variant_ids: list[int]) -> None:
    recompute_run_start(variant_ids=sorted(set(variant_ids)))
