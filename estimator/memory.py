"""Memory to run (inference) or fine-tune a model, as a breakdown of terms in bytes.

Every term carries a short explanation and the source of its constants. Weight sizes are exact
(integer counts times exact fractional bits, rounded up once); activation and runtime terms are
estimates and say so.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction

from core.lib.units import GIB
from estimator.architecture import ATTENTION_KINDS, Architecture
from estimator.checkpoint import NAMED_FAMILIES, checkpoint, quantized_weights
from estimator.parameters import ParameterCount
from estimator.precision import (
    KV_DTYPES,
    MXFP4,
    NATIVE,
    NF4,
    PRECISIONS,
    SIXTEEN,
    Precision,
    gguf_more_bits_layer,
)

# Per-GPU runtime overhead: CUDA context, cuBLAS/NCCL workspaces and allocator slack.
# Assumption: ~0.3-0.5 GiB of CUDA context on recent GPUs plus workspaces; 1 GiB is a
# conservative round figure (bench/gpu_memory.py measures it where a GPU is available).
RUNTIME_OVERHEAD_BYTES_PER_GPU = 1 * GIB
# Tokens processed at once during prefill (chunked prefill budget). vLLM's
# max_num_batched_tokens for chunked prefill defaults to 2048 in its engine arguments.
DEFAULT_PREFILL_CHUNK_TOKENS = 2048
ACTIVATION_BYTES = 2  # 16-bit activations
LOGIT_BYTES = 4  # logits are computed in fp32 for sampling and for the loss
# Mixed-precision AdamW: 2 bytes of 16-bit weights, 2 of 16-bit gradients and 12 of fp32
# master weights, momentum and variance per trainable parameter. Source: ZeRO,
# arXiv 1910.02054 §3.1 ("2Ψ + 2Ψ + KΨ" with K = 12).
WEIGHT_BYTES_16 = 2
GRADIENT_BYTES = 2
OPTIMIZER_BYTES = 12
# Activations saved for the backward pass per token per layer: 34·h bytes with 16-bit
# activations when attention scores are not stored (flash attention removes the 5·a·s/h term).
# Source: Korthikanti et al., arXiv 2205.05198, §4.1, eq. (1). With full recomputation
# (gradient checkpointing) each layer keeps only its 2·h-byte input.
ACTIVATION_BYTES_PER_TOKEN_PER_HIDDEN = 34
CHECKPOINT_BYTES_PER_TOKEN_PER_HIDDEN = 2


class EstimateError(ValueError):
    """An estimate was asked with an option that does not make sense; ``field`` names it."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Term:
    """One line of a memory breakdown."""

    key: str
    bytes: int
    explanation: str
    source: str = ""

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "bytes": self.bytes,
            "explanation": self.explanation,
            "source": self.source,
        }


@dataclass(frozen=True)
class MemoryBreakdown:
    """The memory of one workload, term by term; totals in bytes."""

    terms: tuple[Term, ...]
    kv_cache_bytes_per_token: int
    active_weights_bytes: int  # weights read for one decoded token (MoE: the selected experts)
    kv_bytes_per_sequence: int
    # What each sequence keeps whatever its length (linear-attention and state-space layers).
    fixed_state_bytes_per_sequence: int = 0
    assumptions: tuple[str, ...] = field(default=())

    def _sum(self, *keys: str) -> int:
        return sum(t.bytes for t in self.terms if t.key in keys)

    @property
    def weights_bytes(self) -> int:
        return self._sum("weights", "lora_weights")

    @property
    def kv_cache_bytes(self) -> int:
        return self._sum("kv_cache")

    @property
    def fixed_state_bytes(self) -> int:
        return self._sum("fixed_state")

    @property
    def activation_bytes(self) -> int:
        return self._sum("activations", "logits")

    @property
    def overhead_bytes(self) -> int:
        return self._sum("overhead")

    @property
    def gradient_bytes(self) -> int:
        return self._sum("gradients")

    @property
    def optimizer_bytes(self) -> int:
        return self._sum("optimizer")

    @property
    def total_bytes(self) -> int:
        return sum(t.bytes for t in self.terms)

    def as_dict(self) -> dict:
        return {
            "weights_bytes": self.weights_bytes,
            "kv_cache_bytes": self.kv_cache_bytes,
            "fixed_state_bytes": self.fixed_state_bytes,
            "activation_bytes": self.activation_bytes,
            "overhead_bytes": self.overhead_bytes,
            "gradient_bytes": self.gradient_bytes,
            "optimizer_bytes": self.optimizer_bytes,
            "total_bytes": self.total_bytes,
        }


def precision_for(key: str) -> Precision:
    try:
        return PRECISIONS[key]
    except KeyError:
        raise EstimateError(
            f"Unknown precision '{key}'; choose one of {', '.join(PRECISIONS)}.",
            field="precision",
        ) from None


NATIVE_NOT_UNDERSTOOD = (
    "The published checkpoint's format ('{method}') is not one the estimator reads yet; "
    "choose a precision."
)


# Bits of one group scale: BF16 for compressed-tensors int4 (its scales take the weights'
# dtype; compressed-tensors PackedQuantizationCompressor), FP8 E4M3 for NVFP4 (ModelOpt's
# weight_scale; its per-tensor F32 weight_scale_2 and input_scale, two numbers a layer, are
# left out).
FOUR_BIT_SCALE_BITS = {"int4": 16, "nvfp4": 8}


def default_precision(arch: Architecture) -> str:
    """What an estimate assumes when no precision is asked: the published checkpoint's own
    format where it is not 16-bit and is understood, else BF16."""
    quantization = arch.quantization
    if quantization is not None and _native_understood(arch):
        return NATIVE
    return "bf16"


def _native_understood(arch: Architecture) -> bool:
    """Whether the estimator can size the published checkpoint as it is stored."""
    quantization = arch.quantization
    if quantization is None:
        return True
    # An FP8 checkpoint with a sparse-attention indexer: which indexer tensors are FP8 is not
    # established (estimator/checkpoint.py).
    if quantization.method in FOUR_BIT_SCALE_BITS:
        return arch.model_type in NAMED_FAMILIES and not (
            arch.linear_attention_layers or arch.mamba_layers
        )
    return quantization.understood and not (
        quantization.method == "fp8" and arch.indexer is not None
    )


def native_weight_bits(arch: Architecture, params: ParameterCount) -> tuple[Fraction, str]:
    """Bits of the main model's weights as the checkpoint stores them, and how."""
    quantization = arch.quantization
    if quantization is None:
        return params.total * SIXTEEN, "16 bits, as published (no quantization_config)"
    if not _native_understood(arch):
        raise EstimateError(
            NATIVE_NOT_UNDERSTOOD.format(method=quantization.method[:40]), field="precision"
        )
    if quantization.method in FOUR_BIT_SCALE_BITS:
        quantized = quantized_weights(arch, params)
        assert quantized is not None  # understood above (a named family)
        assert quantization.group is not None  # parse_config reads it with the method
        per_weight = 4 + Fraction(FOUR_BIT_SCALE_BITS[quantization.method], quantization.group)
        bits = quantized * per_weight + (params.total - quantized) * SIXTEEN
        return bits, (
            f"{quantized:,} weights of the linear layers in {quantization.method.upper()} "
            f"({float(per_weight):g} bits: 4-bit values and a scale per {quantization.group}), "
            "the layers its quantization_config ignores and everything else in BF16, as "
            "published"
        )
    if quantization.method == "mxfp4":
        experts = sum(layer.routed_experts for layer in params.layers)
        bits = experts * MXFP4 + (params.total - experts) * SIXTEEN
        return bits, (
            f"the routed experts' {experts:,} weights in MXFP4 ({float(MXFP4):g} bits: 4-bit "
            "values and an 8-bit scale per 32), everything else in BF16, as published"
        )
    held = checkpoint(arch, params)
    assert held is not None  # an understood format other than mxfp4 is fp8 with blocks
    assert quantization.block is not None
    rows, columns = quantization.block
    bits = Fraction(8 * held.main_fp8 + 32 * held.main_f32 + 16 * held.main_bf16)
    return bits, (
        f"{held.main_fp8:,} weights of the linear layers in FP8 with {held.main_f32:,} fp32 "
        f"values (one scale per {rows} × {columns} block, and the router tensors kept in F32), "
        "the rest in BF16, as published"
    )


def weight_bits(arch: Architecture, params: ParameterCount, precision: Precision) -> Fraction:
    """Total bits of the stored weights at ``precision`` (embedding and norms at their own)."""
    if precision.key == NATIVE:
        return native_weight_bits(arch, params)[0]
    bits = params.embedding * precision.embedding_bits
    bits += params.lm_head * precision.lm_head_bits
    bits += params.small * precision.small_bits
    # Layers repeat: count each distinct (layer shape, more-bits) pair once.
    groups = Counter(
        (layer, bool(precision.gguf_more_bits) and gguf_more_bits_layer(index, arch.num_layers))
        for index, layer in enumerate(params.layers)
    )
    for (layer, more_bits), repeat in groups.items():
        matrices = layer.attention + layer.ffn + layer.routed_experts
        if more_bits:
            assert precision.gguf_more_bits is not None  # more_bits is False without it
            more = layer.attention_v + layer.ffn_down
            layer_bits = more * precision.gguf_more_bits + (matrices - more) * precision.matrix_bits
        else:
            layer_bits = matrices * precision.matrix_bits
        bits += repeat * layer_bits
    return bits


def _bytes(bits: Fraction) -> int:
    return math.ceil(bits / 8)


def kv_bytes_per_token_per_layer(arch: Architecture, kv_dtype_bytes: int) -> int:
    """Cache of one token in one layer: keys and values of every KV head, or MLA's latent."""
    if arch.uses_mla:
        # DeepSeek-V2 §2.1.2: the compressed latent (d_c) and the decoupled RoPE key (d_h^R)
        # are cached once per token per layer, shared by all heads.
        mla = arch.mla
        latent = (mla.kv_lora_rank + mla.rope) * kv_dtype_bytes
        if arch.indexer is not None:
            # DeepSeek sparse attention also caches the indexer's key: head_dim values in FP8
            # and an fp32 scale per 128 (DeepSeek-V3.2-Exp inference/model.py, Indexer).
            latent += arch.indexer.head_dim + 4 * math.ceil(arch.indexer.head_dim / 128)
        return latent
    return 2 * arch.num_kv_heads * arch.head_dim * kv_dtype_bytes


def kv_replication(arch: Architecture, tensor_parallel: int) -> Fraction:
    """How many times the whole cache is stored across ``tensor_parallel`` GPUs.

    KV heads are split across GPUs; with more GPUs than KV heads each GPU keeps one head, so
    heads are replicated. MLA's latent cache is replicated on every GPU (vLLM's MLA backend).
    """
    if tensor_parallel <= 1:
        return Fraction(1)
    if arch.uses_mla:
        return Fraction(tensor_parallel)
    per_gpu = math.ceil(arch.num_kv_heads / tensor_parallel)
    return Fraction(per_gpu * tensor_parallel, arch.num_kv_heads)


def kv_cache_bytes(
    arch: Architecture, *, context_tokens: int, batch: int, kv_dtype_bytes: int
) -> int:
    """Cache of ``batch`` sequences of ``context_tokens``; sliding-window layers keep at most
    the window and chunked layers at most a chunk, linear-attention and Mamba layers keep a
    fixed state instead (``fixed_state_bytes``)."""
    per_layer = kv_bytes_per_token_per_layer(arch, kv_dtype_bytes)
    windowed = arch.sliding_window_layers if arch.sliding_window else 0
    tokens = arch.full_attention_layers * context_tokens
    if windowed:
        assert arch.sliding_window is not None  # windowed is 0 without a window
        tokens += windowed * min(context_tokens, arch.sliding_window)
    if arch.attention_chunk:
        tokens += arch.chunked_attention_layers * min(context_tokens, arch.attention_chunk)
    return batch * tokens * per_layer


# The dtype a runtime keeps the recurrent (SSM, delta-rule) state in: the config's
# mamba_ssm_cache_dtype where it names one, else the model's 16-bit dtype; the short
# convolution's state stays in the model's dtype (vLLM's default, mamba_cache_dtype "auto":
# vllm/model_executor/layers/mamba/mamba_utils.py, MambaStateDtypeCalculator._mamba_state_dtype
# and gated_delta_net_state_dtype: conv state in the model dtype, temporal state in
# mamba_ssm_cache_dtype).
STATE_DTYPE_BYTES = {"float32": 4, "bfloat16": 2, "float16": 2}
DEFAULT_STATE_DTYPE = "bfloat16"


def state_dtype(arch: Architecture) -> str:
    return arch.state_dtype if arch.state_dtype in STATE_DTYPE_BYTES else DEFAULT_STATE_DTYPE


CONV_STATE_BYTES = 2  # the model's 16-bit dtype


def fixed_state_values(arch: Architecture) -> tuple[int, int]:
    """One sequence's fixed state as (convolution values, recurrent values): what each
    linear-attention or Mamba layer keeps whatever the context (the short convolution's last
    inputs; the key × value matrices or the SSM state)."""
    conv = recurrent = 0
    if arch.linear_attention is not None:
        linear = arch.linear_attention
        conv += arch.linear_attention_layers * linear.conv_dim * (linear.conv_kernel - 1)
        recurrent += arch.linear_attention_layers * (
            linear.num_value_heads * linear.key_head_dim * linear.value_head_dim
        )
    if arch.mamba is not None:
        conv += arch.mamba_layers * arch.mamba.conv_state_values
        recurrent += arch.mamba_layers * arch.mamba.recurrent_state_values
    return conv, recurrent


def fixed_state_bytes(arch: Architecture) -> int:
    conv, recurrent = fixed_state_values(arch)
    return conv * CONV_STATE_BYTES + recurrent * STATE_DTYPE_BYTES[state_dtype(arch)]


def _ffn_width(arch: Architecture) -> int:
    if not arch.is_moe:
        return arch.intermediate_size
    # An MoE architecture has both (see parameters._layer).
    assert arch.num_experts_per_token is not None
    assert arch.moe_intermediate_size is not None
    width = arch.num_experts_per_token * arch.moe_intermediate_size
    width += arch.shared_expert_intermediate_size or 0
    width += (arch.num_shared_experts or 0) * arch.moe_intermediate_size
    dense = arch.first_dense_layers or arch.dense_layers or arch.structure.separate_blocks
    return max(width, arch.intermediate_size if dense else 0)


def _check_positive(value: int, name: str, maximum: int | None = None) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise EstimateError(f"'{name}' must be a positive integer; got {value!r}.", field=name)
    if maximum is not None and value > maximum:
        raise EstimateError(f"'{name}' must be at most {maximum}; got {value}.", field=name)


MAX_CONTEXT_TOKENS = 16 * 1024 * 1024
MAX_BATCH = 4096


def _active_weight_bytes(params: ParameterCount, weights_bytes: int) -> int:
    if params.total == params.active:
        return weights_bytes
    return math.ceil(Fraction(weights_bytes) * params.active / params.total)


def inference_memory(
    arch: Architecture,
    params: ParameterCount,
    *,
    precision: str = "bf16",
    context_tokens: int = 4096,
    batch: int = 1,
    kv_dtype: str = "bf16",
    tensor_parallel: int = 1,
    prefill_chunk_tokens: int = DEFAULT_PREFILL_CHUNK_TOKENS,
) -> MemoryBreakdown:
    """Memory to serve ``batch`` sequences of ``context_tokens`` at ``precision``.

    Terms: weights, KV cache (× replication across ``tensor_parallel`` GPUs), activations of
    one prefill chunk, fp32 logits of the last positions, runtime overhead per GPU.
    """
    _check_positive(context_tokens, "context", MAX_CONTEXT_TOKENS)
    _check_positive(batch, "batch", MAX_BATCH)
    _check_positive(tensor_parallel, "tensor_parallel", 1024)
    chosen = precision_for(precision)
    if kv_dtype not in KV_DTYPES:
        raise EstimateError(
            f"Unknown KV cache dtype '{kv_dtype}'; choose one of {', '.join(KV_DTYPES)}.",
            field="kv_dtype",
        )
    kv_dtype_bytes = KV_DTYPES[kv_dtype]
    weights = _bytes(weight_bits(arch, params, chosen))
    if chosen.key == NATIVE:
        stored = native_weight_bits(arch, params)[1]
        weights_said = f"{params.total:,} parameters: {stored}"
    else:
        weights_said = (
            f"{params.total:,} parameters at {chosen.label}; embedding at "
            f"{float(chosen.embedding_bits):g} bits, norms and biases at "
            f"{float(chosen.small_bits):g} bits"
        )
    kv_sequence = kv_cache_bytes(
        arch, context_tokens=context_tokens, batch=1, kv_dtype_bytes=kv_dtype_bytes
    )
    replication = kv_replication(arch, tensor_parallel)
    kv_total = math.ceil(kv_sequence * batch * replication)
    state_sequence = fixed_state_bytes(arch)
    conv_values, recurrent_values = fixed_state_values(arch)
    stateful = arch.linear_attention_layers + arch.mamba_layers
    chunk = min(context_tokens * batch, prefill_chunk_tokens)
    per_token = (
        2 * arch.hidden_size + arch.num_attention_heads * arch.head_dim + 2 * _ffn_width(arch)
    )
    activations = chunk * per_token * ACTIVATION_BYTES
    logits = batch * arch.vocab_size * LOGIT_BYTES
    overhead = tensor_parallel * RUNTIME_OVERHEAD_BYTES_PER_GPU
    cached_layers = arch.kv_layers
    kv_per_token = cached_layers * kv_bytes_per_token_per_layer(arch, kv_dtype_bytes)
    cache_what = (
        f"MLA latent ({arch.kv_lora_rank} + {arch.qk_rope_head_dim} RoPE dims) per layer"
        if arch.uses_mla
        else f"2 × {arch.num_kv_heads} KV heads × {arch.head_dim} dims per layer"
    )
    window = ""
    if cached_layers < arch.num_layers:
        window = f"; only {cached_layers} of {arch.num_layers} layers attend"
        if state_sequence:
            window += " (the others keep a fixed state or hold an FFN)"
    if arch.attention_chunk and arch.chunked_attention_layers:
        window += (
            f"; {arch.chunked_attention_layers} chunked-attention layers keep at most "
            f"{arch.attention_chunk} tokens"
        )
    if arch.sliding_window and arch.sliding_window_layers:
        window += (
            f"; {arch.sliding_window_layers} sliding-window layers keep at most "
            f"{arch.sliding_window} tokens"
        )
    replicated = (
        f"; stored {float(replication):g}× across {tensor_parallel} GPUs"
        if (replication != 1)
        else ""
    )
    terms = (
        Term("weights", weights, weights_said, chosen.source),
        Term(
            "kv_cache",
            kv_total,
            f"{batch} × {context_tokens:,} tokens × {cache_what} × {kv_dtype_bytes} bytes"
            f"{window}{replicated}",
            "DeepSeek-V2 arXiv 2405.04434 §2.1 (MLA cache); GQA arXiv 2305.13245",
        ),
        *(
            (
                Term(
                    "fixed_state",
                    batch * state_sequence,
                    f"{batch} × ({conv_values:,} convolution values × {CONV_STATE_BYTES} bytes "
                    f"+ {recurrent_values:,} recurrent-state values × "
                    f"{STATE_DTYPE_BYTES[state_dtype(arch)]} bytes ({state_dtype(arch)})) over "
                    f"{stateful} layers: the same at any context",
                    "transformers Qwen3NextGatedDeltaNet, NemotronHMamba2Mixer (conv and "
                    "recurrent state); dtypes: vLLM MambaStateDtypeCalculator",
                ),
            )
            if state_sequence
            else ()
        ),
        Term(
            "activations",
            activations,
            f"estimate: one prefill chunk of {chunk:,} tokens × one layer's working set "
            f"({per_token:,} values) × {ACTIVATION_BYTES} bytes",
            "chunked prefill budget of 2048 tokens (vLLM max_num_batched_tokens)",
        ),
        Term(
            "logits",
            logits,
            f"{batch} × vocabulary {arch.vocab_size:,} × {LOGIT_BYTES} bytes (fp32) for sampling",
        ),
        Term(
            "overhead",
            overhead,
            f"estimate: {RUNTIME_OVERHEAD_BYTES_PER_GPU // GIB} GiB per GPU for the CUDA "
            "context, library workspaces and allocator slack",
            "assumption; see docs/estimator.md",
        ),
    )
    return MemoryBreakdown(
        terms=terms,
        kv_cache_bytes_per_token=kv_per_token,
        active_weights_bytes=_active_weight_bytes(params, weights),
        kv_bytes_per_sequence=kv_sequence,
        fixed_state_bytes_per_sequence=state_sequence,
        assumptions=(
            "Weights of every expert are resident; only the selected experts are read per token.",
            "Activations and runtime overhead are estimates; weights and KV cache are exact.",
        ),
    )


LORA_TARGETS = ("attention", "all-linear")


def lora_parameters(arch: Architecture, *, rank: int, targets: str) -> int:
    """Trainable LoRA parameters: rank × (in + out) for each targeted matrix of each layer.

    ``attention``: q, k, v, o projections (MLA: its projections) of the layers that attend.
    ``all-linear``: also the dense or shared-expert FFN and the projections of linear-attention
    and Mamba mixers (routed experts are not adapted). Source: LoRA arXiv 2106.09685.
    """
    _check_positive(rank, "lora_rank", 4096)
    if targets not in LORA_TARGETS:
        raise EstimateError(
            f"Unknown LoRA targets '{targets}'; choose one of {', '.join(LORA_TARGETS)}.",
            field="lora_targets",
        )
    hidden = arch.hidden_size
    if arch.uses_mla:
        # With kv_lora_rank set, parse_config has read the other MLA dimensions too.
        assert arch.kv_lora_rank is not None
        assert arch.v_head_dim is not None
        assert arch.qk_nope_head_dim is not None
        assert arch.qk_rope_head_dim is not None
        qk_head = arch.qk_nope_head_dim + arch.qk_rope_head_dim
        q_out = arch.num_attention_heads * qk_head
        attention = (
            (hidden + q_out)
            + (hidden + arch.kv_lora_rank + arch.qk_rope_head_dim)
            + (arch.num_attention_heads * arch.v_head_dim + hidden)
        )
    else:
        q_width = arch.num_attention_heads * arch.head_dim
        kv_width = arch.num_kv_heads * arch.head_dim
        attention = (hidden + q_width) + 2 * (hidden + kv_width) + (q_width + hidden)
    per_layer = []
    for index in range(arch.num_layers):
        kind = arch.layer_type(index)
        adapted = 0
        if kind in ATTENTION_KINDS:
            adapted = attention
        elif targets == "all-linear":
            adapted = _mixer_lora_width(arch, kind)
        block_without_ffn = arch.structure.separate_blocks and kind not in ("mlp", "moe")
        if targets == "all-linear" and not block_without_ffn:
            branches = 2 if arch.structure.ffn_gated else 1
            if arch.is_moe_layer(index):
                width = arch.shared_expert_intermediate_size
                if not width:
                    assert arch.moe_intermediate_size is not None  # an MoE architecture has it
                    width = (arch.num_shared_experts or 0) * arch.moe_intermediate_size
            else:
                width = arch.intermediate_size
            if width:
                adapted += branches * (hidden + width) + (width + hidden)
        per_layer.append(adapted)
    return rank * sum(per_layer)


def _mixer_lora_width(arch: Architecture, kind: str) -> int:
    """in + out of each linear layer of a Gated DeltaNet or Mamba-2 mixer (all-linear LoRA)."""
    hidden = arch.hidden_size
    if kind == "linear_attention" and arch.linear_attention is not None:
        linear = arch.linear_attention
        qkvz = 2 * linear.key_dim + 2 * linear.value_dim
        return (hidden + qkvz) + (hidden + 2 * linear.num_value_heads) + (linear.value_dim + hidden)
    if kind == "mamba" and arch.mamba is not None:
        mamba = arch.mamba
        projected = 2 * mamba.inner + 2 * mamba.groups * mamba.state_size + mamba.num_heads
        return (hidden + projected) + (mamba.inner + hidden)
    return 0


def training_memory(
    arch: Architecture,
    params: ParameterCount,
    *,
    workload: str,
    context_tokens: int = 4096,
    batch: int = 1,
    gradient_checkpointing: bool = True,
    lora_rank: int = 16,
    lora_targets: str = "attention",
    gpus: int = 1,
) -> MemoryBreakdown:
    """Memory to fine-tune: ``full`` (AdamW mixed precision), ``lora`` (16-bit frozen base) or
    ``qlora`` (NF4 frozen base). Sharded across ``gpus`` by the caller (ZeRO-3/FSDP)."""
    _check_positive(context_tokens, "context", MAX_CONTEXT_TOKENS)
    _check_positive(batch, "batch", MAX_BATCH)
    if workload not in ("full", "lora", "qlora"):
        raise EstimateError(
            f"Unknown workload '{workload}'; choose inference, lora, qlora or full.",
            field="workload",
        )
    tokens = context_tokens * batch
    terms: list[Term] = []
    if workload == "full":
        trainable = params.total
        terms.append(
            Term(
                "weights",
                trainable * WEIGHT_BYTES_16,
                f"{trainable:,} parameters × 2 bytes (BF16 working copy)",
                "ZeRO arXiv 1910.02054 §3.1",
            )
        )
    else:
        trainable = lora_parameters(arch, rank=lora_rank, targets=lora_targets)
        base = PRECISIONS["bf16"] if workload == "lora" else PRECISIONS["nf4"]
        base_bytes = _bytes(weight_bits(arch, params, base))
        terms.append(
            Term(
                "weights",
                base_bytes,
                f"frozen base, {params.total:,} parameters at {base.label}",
                base.source,
            )
        )
        terms.append(
            Term(
                "lora_weights",
                trainable * WEIGHT_BYTES_16,
                f"{trainable:,} LoRA parameters (rank {lora_rank}, {lora_targets}) × 2 bytes",
                "LoRA arXiv 2106.09685",
            )
        )
    terms.append(
        Term(
            "gradients",
            trainable * GRADIENT_BYTES,
            f"{trainable:,} trainable parameters × {GRADIENT_BYTES} bytes (BF16)",
            "ZeRO arXiv 1910.02054 §3.1",
        )
    )
    terms.append(
        Term(
            "optimizer",
            trainable * OPTIMIZER_BYTES,
            f"{trainable:,} trainable parameters × {OPTIMIZER_BYTES} bytes (fp32 "
            "master weights, Adam momentum and variance)",
            "ZeRO arXiv 1910.02054 §3.1",
        )
    )
    hidden = arch.hidden_size
    if gradient_checkpointing:
        activations = (
            tokens
            * hidden
            * (
                arch.num_layers * CHECKPOINT_BYTES_PER_TOKEN_PER_HIDDEN
                + ACTIVATION_BYTES_PER_TOKEN_PER_HIDDEN
            )
        )
        how = (
            f"gradient checkpointing: {arch.num_layers} layer inputs × 2·h bytes per token, "
            "plus one layer recomputed (34·h)"
        )
    else:
        activations = tokens * hidden * arch.num_layers * ACTIVATION_BYTES_PER_TOKEN_PER_HIDDEN
        how = f"{arch.num_layers} layers × 34·h bytes per token"
    terms.append(
        Term(
            "activations",
            activations,
            f"estimate: {tokens:,} tokens × {how}",
            "Korthikanti et al. arXiv 2205.05198 §4.1 (flash attention: no s² term)",
        )
    )
    terms.append(
        Term(
            "logits",
            tokens * arch.vocab_size * LOGIT_BYTES,
            f"{tokens:,} tokens × vocabulary {arch.vocab_size:,} × 4 bytes (fp32 loss)",
        )
    )
    terms.append(
        Term(
            "overhead",
            gpus * RUNTIME_OVERHEAD_BYTES_PER_GPU,
            f"estimate: {RUNTIME_OVERHEAD_BYTES_PER_GPU // GIB} GiB per GPU",
            "assumption; see docs/estimator.md",
        )
    )
    weights_16 = (
        _bytes(params.total * SIXTEEN) if workload != "qlora" else _bytes(params.total * NF4)
    )
    return MemoryBreakdown(
        terms=tuple(terms),
        kv_cache_bytes_per_token=0,
        active_weights_bytes=weights_16,
        kv_bytes_per_sequence=0,
        assumptions=(
            "Activations assume flash attention and 16-bit activations; they are estimates.",
            "Across several GPUs, weights, gradients, optimizer states and activations are "
            "sharded evenly (ZeRO-3 / FSDP); communication buffers are not counted.",
        ),
    )
