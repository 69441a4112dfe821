"""Decode speed of one sequence: a realistic estimate beside the bandwidth upper bound.

The upper bound reads every byte a decode step needs (the active weights, the sequence's KV
cache and fixed state) at the accelerators' full memory bandwidth, with tensor parallelism
adding the bandwidth of every GPU. Measured single-sequence speeds are well below it, and a
model split by layers over several GPUs (llama.cpp's default) is not faster for one sequence:
each token passes through the GPUs one after another.

The realistic estimate, for one sequence on one GPU or split by layers:

    seconds per token = step bytes / min(fraction × bandwidth, ceiling)
                        + per-token overhead + (GPUs − 1) × per-GPU hop

with constants calibrated per runtime against published llama-bench measurements
(bench/data/decode_measurements.yaml; bench/decode_calibration.py compares each with the
estimate; docs/estimator.md keeps the table). Where no runtime was calibrated for the
accelerator (AMD, Intel, NPUs, CPUs) there is no realistic estimate, only the upper bound.
"""

from __future__ import annotations

from dataclasses import dataclass

from estimator.architecture import Architecture
from estimator.parameters import ParameterCount


@dataclass(frozen=True)
class DecodeCalibration:
    """A runtime's decode constants, fitted to measurements (see the module docstring)."""

    runtime: str
    bandwidth_fraction: float  # share of the datasheet bandwidth a decode step reaches
    bandwidth_ceiling: float | None  # bytes/s no single GPU exceeds in the measurements
    per_token_seconds: float  # kernel launches, sampling: paid once per token
    per_extra_device_seconds: float  # handing the activations to the next GPU (layer split)
    measurements: int  # how many measurements fitted them
    # Tensor parallelism (vLLM): every GPU reads its share of the step at once, and the GPUs
    # exchange partial sums twice a layer (Megatron-LM, arXiv 1909.08053 §3).
    tensor_parallel: bool = False
    per_sync_seconds: float = 0.0  # one all-reduce of one token's activations

    def seconds_per_token(
        self, step_bytes: int, bandwidth: float, devices: int, syncs: int = 0
    ) -> float:
        achieved = bandwidth * self.bandwidth_fraction
        if self.bandwidth_ceiling is not None:
            achieved = min(achieved, self.bandwidth_ceiling)
        if self.tensor_parallel:
            exchange = syncs * self.per_sync_seconds if devices > 1 else 0.0
            return step_bytes / (devices * achieved) + self.per_token_seconds + exchange
        return (
            step_bytes / achieved
            + self.per_token_seconds
            + (devices - 1) * self.per_extra_device_seconds
        )


# Fitted by bench/decode_calibration.py --fit on bench/data/decode_measurements.yaml:
# llama.cpp CUDA, 60 llama-bench rows (Llama 3 8B and 70B, Q4_K_M and F16; RTX 3090, 4090,
# A6000, 6000 Ada, L40S, A100 SXM, H100 PCIe; 1 to 8 GPUs split by layers). The ceiling: on
# HBM GPUs llama.cpp's decode kernels reach about 1.1 TB/s whatever the datasheet says (A100
# SXM 2.0 TB/s and H100 PCIe 2.0 TB/s both measure like a 1.1 TB/s GPU).
LLAMA_CPP_CUDA = DecodeCalibration(
    runtime="llama.cpp (CUDA), one GPU or split by layers",
    bandwidth_fraction=0.94,
    bandwidth_ceiling=1.1e12,
    per_token_seconds=0.0022,
    per_extra_device_seconds=0.0004,
    measurements=60,
)
# llama.cpp Metal, 7 llama-bench rows (Apple M2 Ultra and M3 Max, Llama 3 8B and 70B).
LLAMA_CPP_METAL = DecodeCalibration(
    runtime="llama.cpp (Metal)",
    bandwidth_fraction=0.84,
    bandwidth_ceiling=None,
    per_token_seconds=0.0052,
    per_extra_device_seconds=0.0,
    measurements=7,
)
# vLLM on NVIDIA GPUs, tensor parallel: fitted by bench/decode_calibration.py --fit to the 5
# single-stream measurements of recent vLLM releases (0.7.2 to 0.23) that match catalog
# hardware; few, and docs/estimator.md says how far that carries.
VLLM_CUDA = DecodeCalibration(
    runtime="vLLM (CUDA), tensor parallel",
    bandwidth_fraction=0.92,
    bandwidth_ceiling=None,
    per_token_seconds=0.0012,
    per_extra_device_seconds=0.0,
    measurements=5,
    tensor_parallel=True,
    per_sync_seconds=0.00008,
)
CALIBRATED_FORMS = ("consumer", "workstation", "datacenter")
# The runtimes an estimate can assume, and how each spreads a model over several GPUs.
LLAMA_CPP = "llama.cpp"
VLLM = "vllm"
RUNTIMES = {
    LLAMA_CPP: "llama.cpp: one GPU, or the layers split over several",
    VLLM: "vLLM: tensor parallel over every GPU",
}


def calibration_for(vendor: str, form: str, runtime: str = LLAMA_CPP) -> DecodeCalibration | None:
    """The calibrated runtime for an accelerator, or ``None`` where none was measured."""
    if runtime == VLLM:
        return VLLM_CUDA if vendor == "NVIDIA" and form in CALIBRATED_FORMS else None
    if vendor == "NVIDIA" and form in CALIBRATED_FORMS:
        return LLAMA_CPP_CUDA
    if vendor == "Apple" and form == "unified_memory":
        return LLAMA_CPP_METAL
    return None


def realistic_tokens_per_s(
    calibration: DecodeCalibration,
    *,
    step_bytes: int,
    bandwidth: float,
    devices: int,
    syncs: int = 0,
) -> float:
    """Tokens per second of one sequence whose decode step reads ``step_bytes``; ``syncs``:
    the all-reduces of one token under tensor parallelism."""
    return 1 / calibration.seconds_per_token(step_bytes, bandwidth, devices, syncs)


# -- time to first token ------------------------------------------------------------------
#
# Prefill is compute-bound: the prompt's tokens go through the weights together. Its work is
#
#     2 × (active weights of the blocks) × prompt tokens      (one multiply-add per weight)
#   + 2 × (output projection) × 1                             (logits of the last position)
#   + Σ attention layers: pairs × heads × 2 × (query/key width + value width)
#
# where pairs is the causal count of (query, key) positions a layer attends: P(P + 1)/2 for
# full attention, capped at the window for sliding layers (Kaplan et al., arXiv 2001.08361
# §2.1, counts 2N per token plus the attention context term the same way). Linear-attention
# and state-space layers add no pairs (their per-token work is within their weights); chunked
# layers score the pairs within each chunk.
# DeepSeek sparse attention's indexer scores every pair with its own heads.


def _attention_pairs(prompt_tokens: int, window: int | None) -> int:
    """(query, key) pairs a causal layer scores over a prompt, at most ``window`` keys each."""
    if window is None or window >= prompt_tokens:
        return prompt_tokens * (prompt_tokens + 1) // 2
    return window * (window + 1) // 2 + (prompt_tokens - window) * window


def _chunked_pairs(prompt_tokens: int, chunk: int) -> int:
    """Pairs a chunked layer scores: causal pairs within each chunk of the prompt."""
    whole, rest = divmod(prompt_tokens, chunk)
    return whole * chunk * (chunk + 1) // 2 + rest * (rest + 1) // 2


def prefill_flops(arch: Architecture, params: ParameterCount, prompt_tokens: int) -> int:
    """Floating-point operations to prefill a prompt of ``prompt_tokens`` (see above)."""
    blocks = params.active - params.embedding - params.lm_head
    output = params.lm_head or params.embedding  # a tied head still multiplies
    flops = 2 * blocks * prompt_tokens + 2 * output
    heads = arch.num_attention_heads
    if arch.uses_mla:
        mla = arch.mla
        widths = mla.nope + mla.rope + mla.v
    else:
        widths = 2 * arch.head_dim
    full = _attention_pairs(prompt_tokens, None)
    pairs = arch.full_attention_layers * full
    if arch.sliding_window:
        pairs += arch.sliding_window_layers * _attention_pairs(prompt_tokens, arch.sliding_window)
    if arch.attention_chunk:
        pairs += arch.chunked_attention_layers * _chunked_pairs(prompt_tokens, arch.attention_chunk)
    flops += pairs * heads * 2 * widths
    if arch.indexer is not None:
        flops += arch.kv_layers * full * arch.indexer.heads * 2 * arch.indexer.head_dim
    return flops


@dataclass(frozen=True)
class PrefillCalibration:
    """The share of one accelerator's dense 16-bit throughput a runtime's prefill reaches."""

    runtime: str
    efficiency: float  # share of the datasheet's dense 16-bit throughput reached
    ceiling: float | None  # FLOP/s no single GPU exceeds in the measurements
    measurements: int

    def seconds(self, flops: int, dense_flops_per_s: float) -> float:
        achieved = self.efficiency * dense_flops_per_s
        if self.ceiling is not None:
            achieved = min(achieved, self.ceiling)
        return flops / achieved


# Fitted by bench/decode_calibration.py --fit on the pp512 rows of the same llama-bench runs
# (60 NVIDIA rows). llama.cpp processes a prompt of up to one micro-batch (512 tokens) on the
# GPUs one after another when the model is split by layers, so more GPUs do not shorten it
# (the measurements: 8B F16 on one H100 PCIe 10,816 tokens/s, on four 11,107).
LLAMA_CPP_CUDA_PREFILL = PrefillCalibration(
    runtime="llama.cpp (CUDA)", efficiency=0.75, ceiling=1.0e14, measurements=60
)


def prefill_calibration_for(
    vendor: str, form: str, runtime: str = LLAMA_CPP
) -> PrefillCalibration | None:
    """The calibrated prefill of an accelerator's runtime; ``None`` where none was measured
    (Apple's datasheets publish no dense 16-bit throughput to scale from; no vLLM prefill
    measurement matching catalog hardware was found)."""
    if runtime == LLAMA_CPP and vendor == "NVIDIA" and form in CALIBRATED_FORMS:
        return LLAMA_CPP_CUDA_PREFILL
    return None
