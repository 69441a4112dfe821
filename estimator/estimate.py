"""The estimator's one entry point: parameters, memory, fit and speed for a workload.

``estimate()`` takes an :class:`Architecture` and options, and returns an :class:`Estimate`
whose ``as_dict()`` is the JSON answer shared by ``manage.py estimate`` and the API.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction

from estimator.architecture import Architecture
from estimator.checkpoint import checkpoint
from estimator.fit import (
    DEFAULT_USABLE_FRACTION,
    Fit,
    ProfileSpec,
    fit_profile,
    smallest_fit,
)
from estimator.memory import (
    DEFAULT_PREFILL_CHUNK_TOKENS,
    KV_DTYPES,
    EstimateError,
    MemoryBreakdown,
    default_precision,
    fixed_state_bytes,
    inference_memory,
    kv_bytes_per_token_per_layer,
    training_memory,
)
from estimator.parameters import ParameterCount, count_parameters
from estimator.speed import LLAMA_CPP, RUNTIMES, VLLM, prefill_flops

# Bumped whenever a formula or constant changes: stored with every recommendation so that
# rows computed by an older estimator can be found and recomputed.
ESTIMATOR_VERSION = "1.3.0"
WORKLOADS = ("inference", "lora", "qlora", "full")
_RUNTIME_ASSUMPTION = {
    LLAMA_CPP: "Runtime llama.cpp: several GPUs hold the layers in turn (memory split by layers, "
    "no head count to divide); decode speed per sequence is a realistic estimate calibrated "
    "against published llama-bench measurements, and a split model is not faster for one "
    "sequence.",
    VLLM: "Runtime vLLM: tensor parallel (the GPUs must divide the attention heads; KV heads are "
    "replicated where GPUs outnumber them); decode speed per sequence adds every GPU's bandwidth "
    "and pays two all-reduces a layer, calibrated against few published single-stream "
    "measurements (docs/estimator.md).",
}


@dataclass(frozen=True)
class EstimateOptions:
    workload: str = "inference"
    # "" for the published checkpoint's own precision where it is understood, else BF16
    # (memory.default_precision).
    precision: str = "bf16"
    context_tokens: int = 4096
    batch: int = 1
    kv_dtype: str = "bf16"
    lora_rank: int = 16
    lora_targets: str = "attention"
    gradient_checkpointing: bool = True
    usable_fraction: Fraction = DEFAULT_USABLE_FRACTION
    prefill_chunk_tokens: int = DEFAULT_PREFILL_CHUNK_TOKENS
    # The prompt the time to first token is for; None: a prompt that fills the context.
    prompt_tokens: int | None = None
    # How several GPUs share the model (estimator.speed.RUNTIMES): by layers or tensor parallel.
    runtime: str = LLAMA_CPP

    @property
    def prompt(self) -> int:
        return self.prompt_tokens or self.context_tokens


@dataclass(frozen=True)
class Estimate:
    architecture: Architecture
    parameters: ParameterCount
    options: EstimateOptions
    memory: MemoryBreakdown
    fits: tuple[Fit, ...]

    @property
    def smallest(self) -> Fit | None:
        return smallest_fit(list(self.fits))

    def as_dict(self) -> dict:
        o = self.options
        smallest = self.smallest
        return {
            "estimator_version": ESTIMATOR_VERSION,
            "inputs": {
                "workload": o.workload,
                "precision": o.precision
                if o.workload == "inference"
                else {"lora": "bf16", "qlora": "nf4", "full": "bf16"}[o.workload],
                "context": o.context_tokens,
                "prompt": o.prompt if o.workload == "inference" else None,
                "runtime": o.runtime if o.workload == "inference" else None,
                "batch": o.batch,
                "kv_dtype": o.kv_dtype,
                "lora_rank": o.lora_rank if o.workload in ("lora", "qlora") else None,
                "lora_targets": o.lora_targets if o.workload in ("lora", "qlora") else None,
                "gradient_checkpointing": o.gradient_checkpointing
                if o.workload != "inference"
                else None,
                "usable_fraction": float(o.usable_fraction),
            },
            "architecture": {k: v for k, v in self.architecture.as_dict().items() if k != "vision"},
            "total_params": self.parameters.total,
            "active_params": self.parameters.active,
            "extra_params": {
                "mtp": self.parameters.mtp,
                "vision": self.parameters.vision,
            },
            "checkpoint": _checkpoint(self),
            "kv_cache_bytes_per_token": self.memory.kv_cache_bytes_per_token or _kv_per_token(self),
            "fixed_state_bytes_per_sequence": self.memory.fixed_state_bytes_per_sequence
            or fixed_state_bytes(self.architecture),
            "memory": self.memory.as_dict(),
            "breakdown": [t.as_dict() for t in self.memory.terms],
            "fits": [f.as_dict() for f in self.fits],
            "smallest_profile": smallest.profile.slug if smallest else None,
            "assumptions": [
                *self.memory.assumptions,
                f"Usable memory: {float(o.usable_fraction):.0%} of each accelerator "
                "(vLLM gpu_memory_utilization); 75% of unified memory on Apple silicon.",
                _RUNTIME_ASSUMPTION[o.runtime],
                "decode_tokens_per_s_upper_bound reads the active weights and the sequence's "
                "cache at every GPU's full bandwidth at once. Accelerators without a "
                "calibrated runtime get only the upper bound.",
                f"Time to first token is the prefill of a {o.prompt:,}-token prompt, "
                "compute-bound: its FLOPs (2 per active weight per token, plus attention) at "
                "the share of one GPU's dense 16-bit throughput llama.cpp reaches (calibrated "
                "against published pp512 measurements; a model split by layers takes the "
                "prompt one GPU after another); time_to_first_token_s_at_peak is every GPU's "
                "datasheet throughput at once. Accelerators without a published dense "
                "throughput get neither.",
            ],
        }


def _checkpoint(result: Estimate) -> dict | None:
    held = checkpoint(result.architecture, result.parameters)
    if held is None:
        return None
    return {
        "tensors": held.tensors,
        "total": held.total,
        "scales": held.scales,
        "mtp": held.mtp,
        "reconciliation": list(held.reconciliation),
    }


def _kv_per_token(result: Estimate) -> int:
    arch = result.architecture
    cached_layers = arch.kv_layers
    return cached_layers * kv_bytes_per_token_per_layer(arch, KV_DTYPES[result.options.kv_dtype])


def estimate(
    arch: Architecture,
    options: EstimateOptions | None = None,
    profiles: tuple[ProfileSpec, ...] | list[ProfileSpec] = (),
    parameters: ParameterCount | None = None,
) -> Estimate:
    """Estimate ``arch`` under ``options`` and fit it onto ``profiles``.

    Raises :class:`EstimateError` naming the option at fault.
    """
    options = options or EstimateOptions()
    if options.workload not in WORKLOADS:
        raise EstimateError(
            f"Unknown workload '{options.workload}'; choose one of {', '.join(WORKLOADS)}.",
            field="workload",
        )
    if options.runtime not in RUNTIMES:
        raise EstimateError(
            f"Unknown runtime '{str(options.runtime)[:40]}'; choose one of {', '.join(RUNTIMES)}.",
            field="runtime",
        )
    if not (0 < options.usable_fraction <= 1):
        raise EstimateError("'usable_fraction' must be in (0, 1].", field="usable_fraction")
    params = parameters or count_parameters(arch)
    if not options.precision:
        options = replace(options, precision=default_precision(arch))
    prompt_flops = None
    if options.workload == "inference":
        _check_prompt(options)
        prompt_flops = prefill_flops(arch, params, options.prompt)
        memory = inference_memory(
            arch,
            params,
            precision=options.precision,
            context_tokens=options.context_tokens,
            batch=options.batch,
            kv_dtype=options.kv_dtype,
            prefill_chunk_tokens=options.prefill_chunk_tokens,
        )
    else:
        memory = training_memory(
            arch,
            params,
            workload=options.workload,
            context_tokens=options.context_tokens,
            batch=options.batch,
            gradient_checkpointing=options.gradient_checkpointing,
            lora_rank=options.lora_rank,
            lora_targets=options.lora_targets,
        )
    fits = tuple(
        fit_profile(
            arch,
            memory,
            profile,
            workload=options.workload,
            batch=options.batch,
            usable_fraction=options.usable_fraction,
            prefill_flops=prompt_flops,
            runtime=options.runtime,
        )
        for profile in profiles
    )
    return Estimate(arch, params, options, memory, fits)


def _check_prompt(options: EstimateOptions) -> None:
    prompt = options.prompt_tokens
    if prompt is None:
        return
    if isinstance(prompt, bool) or not isinstance(prompt, int) or prompt < 1:
        raise EstimateError(f"'prompt' must be a positive integer; got {prompt!r}.", field="prompt")
    if prompt > options.context_tokens:
        raise EstimateError(
            f"'prompt' ({prompt:,} tokens) must fit the context ({options.context_tokens:,}).",
            field="prompt",
        )
