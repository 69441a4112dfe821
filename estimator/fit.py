"""Which hardware profiles fit a workload, and how fast one sequence decodes on them: a
realistic estimate calibrated against measurements (``speed``) and the bandwidth upper bound."""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from core.lib.units import GIB
from estimator.architecture import Architecture
from estimator.memory import (
    RUNTIME_OVERHEAD_BYTES_PER_GPU,
    MemoryBreakdown,
    kv_replication,
)
from estimator.speed import (
    LLAMA_CPP,
    VLLM,
    calibration_for,
    prefill_calibration_for,
    realistic_tokens_per_s,
)

# The most accelerators one estimate spreads a model over (the bound inference_memory puts on
# tensor parallelism).
MAX_DEVICES = 1024
# Share of an accelerator's memory a serving engine may use: vLLM's gpu_memory_utilization
# defaults to 0.9 (vLLM engine arguments).
DEFAULT_USABLE_FRACTION = Fraction(9, 10)
# macOS lets the GPU wire about three quarters of unified memory by default
# (Metal's recommendedMaxWorkingSetSize on machines with more than 36 GB; approximate).
UNIFIED_MEMORY_USABLE_FRACTION = Fraction(3, 4)


@dataclass(frozen=True)
class AcceleratorSpec:
    slug: str
    name: str
    memory_bytes: int
    bandwidth_bytes_per_s: int | None
    form: str = "datacenter"
    vendor: str = ""
    dense_flops_per_s: float | None = None  # the datasheet's dense BF16/FP16 throughput


@dataclass(frozen=True)
class ProfileSpec:
    slug: str
    name: str
    accelerator: AcceleratorSpec
    count: int

    @property
    def memory_bytes(self) -> int:
        return self.count * self.accelerator.memory_bytes


@dataclass(frozen=True)
class Fit:
    """How one profile fares: memory per accelerator, whether it fits, decode speed."""

    profile: ProfileSpec
    per_device_bytes: int
    usable_bytes: int
    fits: bool
    reason: str
    decode_tokens_per_s_per_sequence: float | None  # realistic (estimator/speed.py)
    decode_tokens_per_s_aggregate: float | None
    decode_tokens_per_s_upper_bound: float | None = None  # bandwidth roofline, one sequence
    time_to_first_token_s: float | None = None  # realistic prefill (estimator/speed.py)
    time_to_first_token_s_at_peak: float | None = None  # every GPU's datasheet throughput

    @property
    def headroom_bytes(self) -> int:
        return self.usable_bytes - self.per_device_bytes

    def as_dict(self) -> dict:
        return {
            "profile": self.profile.slug,
            "name": self.profile.name,
            "count": self.profile.count,
            "per_device_bytes": self.per_device_bytes,
            "usable_bytes": self.usable_bytes,
            "headroom_bytes": self.headroom_bytes,
            "fits": self.fits,
            "reason": self.reason,
            "decode_tokens_per_s_per_sequence": self.decode_tokens_per_s_per_sequence,
            "decode_tokens_per_s_aggregate": self.decode_tokens_per_s_aggregate,
            "decode_tokens_per_s_upper_bound": self.decode_tokens_per_s_upper_bound,
            "time_to_first_token_s": self.time_to_first_token_s,
            "time_to_first_token_s_at_peak": self.time_to_first_token_s_at_peak,
        }


def usable_fraction_for(accelerator: AcceleratorSpec, default: Fraction) -> Fraction:
    if accelerator.form == "unified_memory":
        return min(default, UNIFIED_MEMORY_USABLE_FRACTION)
    return default


def fit_profile(
    arch: Architecture,
    memory: MemoryBreakdown,
    profile: ProfileSpec,
    *,
    workload: str,
    batch: int,
    usable_fraction: Fraction = DEFAULT_USABLE_FRACTION,
    prefill_flops: int | None = None,
    runtime: str = LLAMA_CPP,
) -> Fit:
    """Spread ``memory`` over the profile's accelerators and compare with the usable memory of
    one accelerator: for inference by layers (``llama.cpp``: each GPU holds its layers and
    their cache) or with tensor parallelism (``vllm``: heads split, KV heads replicated where
    GPUs outnumber them); for training with full sharding. ``prefill_flops``: the work of the
    prompt, for the time to first token."""
    count = profile.count
    usable = math.floor(
        profile.accelerator.memory_bytes * usable_fraction_for(profile.accelerator, usable_fraction)
    )
    tensor_parallel = workload == "inference" and runtime == VLLM
    if tensor_parallel and count > 1 and arch.num_attention_heads % count:
        return Fit(
            profile,
            0,
            usable,
            False,
            f"tensor parallelism needs {count} to divide {arch.num_attention_heads} "
            "attention heads",
            None,
            None,
        )
    overhead = count * RUNTIME_OVERHEAD_BYTES_PER_GPU
    shared = memory.total_bytes - memory.overhead_bytes
    if tensor_parallel:
        kv = math.ceil(memory.kv_cache_bytes * kv_replication(arch, count))
        shared = shared - memory.kv_cache_bytes + kv
    per_device = math.ceil(Fraction(shared, count)) + overhead // count
    fits = per_device <= usable
    reason = (
        "fits"
        if fits
        else (f"needs {per_device / GIB:.1f} GiB per device, {usable / GIB:.1f} GiB usable")
    )
    per_sequence = aggregate = upper_bound = None
    accelerator = profile.accelerator
    bandwidth = accelerator.bandwidth_bytes_per_s
    if workload == "inference" and bandwidth:
        # Each decode step reads the active weights once for the whole batch and each
        # sequence's KV cache and fixed state.
        step_bytes = memory.active_weights_bytes + batch * (
            memory.kv_bytes_per_sequence + memory.fixed_state_bytes_per_sequence
        )
        # The upper bound: every GPU's full bandwidth at once (tensor parallelism).
        upper_bound = round(count * bandwidth / step_bytes, 1)
        calibration = calibration_for(accelerator.vendor, accelerator.form, runtime)
        if calibration is not None:
            # Two all-reduces a layer under tensor parallelism; one a block in Nemotron-H.
            syncs = arch.num_layers * (1 if arch.structure.separate_blocks else 2)
            realistic = realistic_tokens_per_s(
                calibration,
                step_bytes=step_bytes,
                bandwidth=bandwidth,
                devices=count,
                syncs=syncs,
            )
            per_sequence = round(realistic, 1)
            aggregate = round(realistic * batch, 1)
    first_token = first_token_at_peak = None
    dense = accelerator.dense_flops_per_s
    if workload == "inference" and prefill_flops and dense:
        # At peak: every GPU's full dense throughput at once (tensor parallelism).
        first_token_at_peak = _seconds(prefill_flops / (count * dense))
        prefill = prefill_calibration_for(accelerator.vendor, accelerator.form, runtime)
        if prefill is not None:
            # Split by layers, the GPUs take the prompt in turn: one GPU's throughput.
            first_token = _seconds(prefill.seconds(prefill_flops, dense))
    return Fit(
        profile,
        per_device,
        usable,
        fits,
        reason,
        per_sequence,
        aggregate,
        upper_bound,
        first_token,
        first_token_at_peak,
    )


def _seconds(value: float) -> float:
    """Seconds shown to three significant figures (a prefill takes milliseconds to minutes)."""
    return float(f"{value:.3g}")


def smallest_fit(fits: list[Fit]) -> Fit | None:
    """The fitting profile with the least total memory, then the fewest devices."""
    fitting = [f for f in fits if f.fits]
    if not fitting:
        return None
    return min(fitting, key=lambda f: (f.profile.memory_bytes, f.profile.count, f.profile.slug))
