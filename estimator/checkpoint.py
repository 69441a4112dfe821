"""What a published checkpoint holds, tensor by tensor dtype, reconciled to the parameter count.

The Hub's ``safetensors.total`` counts every stored element: the main model's weights, a
multi-token-prediction block with any embedding or head it stores a second time, and, for a
block-quantised checkpoint, the scale tensors. It is the parameter count only for a plain 16-bit
checkpoint without such extras. This module says what each dtype of the checkpoint should hold
and why it differs from the count, one sentence per difference.

Supported: FP8 checkpoints with block scales (``quantization_config`` ``quant_method: fp8`` and
``weight_block_size``: DeepSeek-V3, Kimi K2, MiniMax). Checked exactly against the Hub's figures
for DeepSeek-V3 (tests/estimator/test_checkpoint.py).
"""

from __future__ import annotations

import fnmatch
import math
import re
from dataclasses import dataclass

from estimator.architecture import Architecture
from estimator.parameters import ParameterCount

# Families whose multi-token-prediction block stores its own copy of the embedding and of the
# output head (``model.layers.<n>.embed_tokens`` and ``.shared_head.head`` in DeepSeek-V3's
# checkpoint; SGLang's DeepseekV3ForCausalLMNextN loads them from there).
MTP_STORES_EMBEDDING_AND_HEAD = frozenset({"deepseek_v3", "kimi_k2", "glm4_moe"})
# Families whose FP8 checkpoint keeps the router's weights in F32 (MiniMax-M2's
# quantization_config modules_to_not_convert: "gate"; the checkpoint's tensor listing shows
# block_sparse_moe.gate.weight as F32).
ROUTER_IN_F32 = frozenset({"minimax_m2"})
# Families whose 16-bit checkpoint keeps each linear-attention layer's A_log and gated norm in F32.
F32_STATE_PARAMETERS = frozenset({"qwen3_5", "qwen3_5_moe"})


def matrix_shapes(arch: Architecture, index: int) -> list[tuple[int, int, int]]:
    """The linear layers of decoder layer ``index`` as (output, input, how many): what a
    weight-quantised checkpoint stores in blocks. Routers stay in 16 bits and are not here."""
    hidden, heads = arch.hidden_size, arch.num_attention_heads
    shapes: list[tuple[int, int, int]] = []
    kind = arch.layer_type(index)
    ffn_block = kind in ("mlp", "moe")
    if ffn_block:
        pass  # a Nemotron-H FFN block: no token mixer
    elif kind == "mamba":
        mamba = arch.mamba
        assert mamba is not None  # parse_config reads it for a schedule with Mamba layers
        projected = 2 * mamba.inner + 2 * mamba.groups * mamba.state_size + mamba.num_heads
        shapes += [(projected, hidden, 1), (hidden, mamba.inner, 1)]
    elif kind == "linear_attention":
        linear = arch.linear_attention
        assert linear is not None  # parse_config reads it for a schedule with linear layers
        shapes += [
            (2 * linear.key_dim + 2 * linear.value_dim, hidden, 1),
            (2 * linear.num_value_heads, hidden, 1),
            (hidden, linear.value_dim, 1),
        ]
    elif arch.uses_mla:
        mla = arch.mla
        qk_head = mla.nope + mla.rope
        if mla.q_lora_rank:
            shapes += [(mla.q_lora_rank, hidden, 1), (heads * qk_head, mla.q_lora_rank, 1)]
        else:
            shapes.append((heads * qk_head, hidden, 1))
        shapes += [
            (mla.kv_lora_rank + mla.rope, hidden, 1),
            (heads * (mla.nope + mla.v), mla.kv_lora_rank, 1),
            (hidden, heads * mla.v, 1),
        ]
        if arch.indexer is not None and mla.q_lora_rank:
            indexer = arch.indexer
            shapes += [
                (indexer.heads * indexer.head_dim, mla.q_lora_rank, 1),
                (indexer.head_dim, hidden, 1),
                (indexer.heads, hidden, 1),
            ]
    else:
        q_width, kv_width = heads * arch.head_dim, arch.num_kv_heads * arch.head_dim
        gate = 2 if arch.structure.attention_output_gate else 1
        shapes += [
            (gate * q_width, hidden, 1),
            (kv_width, hidden, 2),
            (hidden, q_width, 1),
        ]
    if arch.structure.separate_blocks and not ffn_block:
        return shapes  # a token-mixer block: no FFN
    branches = 2 if arch.structure.ffn_gated else 1
    if not arch.is_moe_layer(index):
        width = arch.intermediate_size
        return [*shapes, (width, hidden, branches), (hidden, width, 1)]
    assert arch.num_experts is not None  # an MoE layer has both (parse_config)
    assert arch.moe_intermediate_size is not None
    expert = arch.moe_intermediate_size
    shapes += [(expert, hidden, branches * arch.num_experts), (hidden, expert, arch.num_experts)]
    shared = arch.shared_expert_intermediate_size or (
        (arch.num_shared_experts or 0) * arch.moe_intermediate_size
    )
    if shared:
        shapes += [(shared, hidden, branches), (hidden, shared, 1)]
    return shapes


def _blocks(shapes: list[tuple[int, int, int]], block: tuple[int, int]) -> int:
    rows, columns = block
    return sum(
        count * math.ceil(out / rows) * math.ceil(inp / columns) for out, inp, count in shapes
    )


@dataclass(frozen=True)
class Checkpoint:
    """The checkpoint's elements by dtype, as the Hub counts them, and why they differ from
    the parameter count."""

    tensors: dict[str, int]
    scales: int
    mtp: int  # the MTP blocks, their stored copies of embedding and head included
    reconciliation: tuple[str, ...]
    # The main model's part (what a runtime loads without speculative decoding), by dtype.
    main_fp8: int = 0
    main_bf16: int = 0
    main_f32: int = 0

    @property
    def total(self) -> int:
        return sum(self.tensors.values())


def checkpoint(arch: Architecture, params: ParameterCount) -> Checkpoint | None:
    """What the published checkpoint of ``arch`` holds; ``None`` when its format is not one
    this module reconciles (a 16-bit checkpoint needs none; other formats are not known)."""
    quantization = arch.quantization
    if quantization is None and arch.num_mtp_layers:
        return _sixteen_bit_with_mtp(arch, params)
    if quantization is None or quantization.method != "fp8" or quantization.block is None:
        return None
    if arch.indexer is not None:
        # Which of the indexer's tensors the checkpoint keeps in FP8 was not established
        # (DeepSeek's code keeps weights_proj in BF16): not reconciled rather than guessed.
        return None
    block = quantization.block
    layers = range(arch.num_layers)
    mtp_layers = range(arch.num_layers, arch.num_layers + arch.num_mtp_layers)
    fp8 = sum(
        out * inp * count for index in layers for out, inp, count in matrix_shapes(arch, index)
    )
    fp8_mtp = sum(
        out * inp * count for index in mtp_layers for out, inp, count in matrix_shapes(arch, index)
    )
    scales = sum(_blocks(matrix_shapes(arch, index), block) for index in layers)
    scales_mtp = sum(_blocks(matrix_shapes(arch, index), block) for index in mtp_layers)
    moe_layers = sum(1 for index in layers if arch.is_moe_layer(index))
    # The router's correction bias stays in fp32 (transformers keeps e_score_correction_bias
    # in fp32; DeepSeek-V3's checkpoint stores it as F32).
    correction = (arch.num_experts or 0) if arch.structure.router_bias else 0
    correction_main = moe_layers * correction
    correction_mtp = arch.num_mtp_layers * correction
    copies = 0
    if arch.num_mtp_layers and arch.model_type in MTP_STORES_EMBEDDING_AND_HEAD:
        copies = arch.num_mtp_layers * 2 * params.embedding
    routers = 0
    if arch.model_type in ROUTER_IN_F32:
        routers = moe_layers * arch.hidden_size * (arch.num_experts or 0)
    bf16_main = params.total - fp8 - correction_main - routers
    bf16_mtp = params.mtp + copies - fp8_mtp - correction_mtp
    tensors = {
        "BF16": bf16_main + bf16_mtp,
        "F8_E4M3": fp8 + fp8_mtp,
        "F32": scales + scales_mtp + correction_main + correction_mtp + routers,
    }
    rows, columns = block
    in_f32 = f"{correction_main:,} router correction biases"
    if routers:
        in_f32 += f" and {routers:,} router weights"
    lines = [
        f"{params.total:,} parameters of the main model: {fp8:,} weights of its linear layers in "
        f"FP8 (E4M3), the rest in BF16 but {in_f32} in F32.",
        f"{scales + scales_mtp:,} F32 scales, one per {rows} × {columns} block of FP8 weights: "
        "stored, not parameters.",
    ]
    if arch.num_mtp_layers:
        line = (
            f"{params.mtp + copies:,} in {arch.num_mtp_layers} multi-token-prediction "
            f"block(s), reported apart from the parameters"
        )
        if copies:
            line += f", {copies:,} of them its own copies of the embedding and the output head"
        lines.append(line + ".")
    return Checkpoint(
        tensors,
        scales + scales_mtp,
        params.mtp + copies,
        tuple(lines),
        main_fp8=fp8,
        main_bf16=bf16_main,
        main_f32=scales + correction_main + routers,
    )


def _sixteen_bit_with_mtp(arch: Architecture, params: ParameterCount) -> Checkpoint:
    """A 16-bit checkpoint that also stores multi-token-prediction blocks (GLM-4.5, Qwen3.5):
    its total is the main model, the blocks and, where the family stores them, their own
    copies of the embedding and the output head, and the vision tower where there is one.
    Qwen3.5 keeps each Gated DeltaNet layer's A_log and gated norm in F32 (the Hub's dtype
    split of Qwen3.5-122B-A10B: F32 6,912 = 36 layers × (64 + 128)); for others which tensors
    are F32 was not established, so their total is not split by dtype."""
    copies = 0
    if arch.model_type in MTP_STORES_EMBEDDING_AND_HEAD:
        copies = arch.num_mtp_layers * 2 * params.embedding
    mtp = params.mtp + copies
    stored = params.total + mtp + params.vision
    if arch.model_type in F32_STATE_PARAMETERS and arch.linear_attention is not None:
        linear = arch.linear_attention
        f32 = arch.linear_attention_layers * (linear.num_value_heads + linear.value_head_dim)
        tensors = {"BF16": stored - f32, "F32": f32}
    else:
        tensors = {"BF16/F32": stored}
    line = (
        f"{mtp:,} in {arch.num_mtp_layers} multi-token-prediction block(s), reported apart from "
        "the parameters"
    )
    if copies:
        line += f", {copies:,} of them its own copies of the embedding and the output head"
    lines = [
        f"{params.total:,} parameters of the main model, in BF16 but for the tensors the "
        "checkpoint keeps in F32.",
        line + ".",
    ]
    if params.vision:
        lines.append(f"{params.vision:,} in the vision tower and its projector, reported apart.")
    return Checkpoint(tensors, 0, mtp, tuple(lines))


# -- 4-bit checkpoints with an ignore list (int4, nvfp4) -------------------------------------

# How transformers names one linear layer of each role, per family: the names a
# quantization_config's ignore list is matched against. Families not listed are not sized as
# published (their names were not checked).
_SHARED_EXPERT_NAME = {
    "deepseek_v3": "shared_experts",
    "kimi_k2": "shared_experts",
    "glm4_moe": "shared_experts",
    "qwen2_moe": "shared_expert",
}
NAMED_FAMILIES = frozenset(
    {"llama", "mistral", "qwen2", "qwen3", "qwen3_moe", "qwen2_moe", *_SHARED_EXPERT_NAME}
)
# The prefixes a language model's modules take in a plain and in a multimodal checkpoint.
_PREFIXES = ("model.", "model.language_model.", "language_model.model.")


def _ignored(names: list[str], patterns: tuple[str, ...]) -> bool:
    """Whether any of ``names`` is one an ignore list leaves unquantised (compressed-tensors:
    "re:" for a regular expression, else the exact name; ModelOpt: fnmatch wildcards)."""
    for pattern in patterns:
        for name in names:
            if pattern.startswith("re:"):
                if re.match(pattern[3:], name):
                    return True
            elif fnmatch.fnmatchcase(name, pattern):
                return True
    return False


def quantized_weights(arch: Architecture, params: ParameterCount) -> int | None:
    """Weights a 4-bit checkpoint (``int4``, ``nvfp4``) stores in 4 bits: the blocks' linear
    layers its ignore list does not name (and the output head unless named); ``None`` where
    the family's module names are not known here or a layer kind has other names."""
    quantization = arch.quantization
    if quantization is None or arch.model_type not in NAMED_FAMILIES:
        return None
    if arch.linear_attention_layers or arch.mamba_layers:
        return None
    patterns = quantization.ignore
    shared_name = _SHARED_EXPERT_NAME.get(arch.model_type, "shared_expert")
    total = 0
    for index, layer in enumerate(params.layers):

        def names(module: str, index: int = index) -> list[str]:
            return [f"{prefix}layers.{index}.{module}" for prefix in _PREFIXES]

        if not _ignored(names("self_attn.o_proj"), patterns):
            total += layer.attention
        if arch.is_moe_layer(index):
            if layer.ffn and not _ignored(names(f"mlp.{shared_name}.down_proj"), patterns):
                total += layer.ffn
            if not _ignored(names("mlp.experts.0.down_proj"), patterns):
                total += layer.routed_experts
        elif not _ignored(names("mlp.down_proj"), patterns):
            total += layer.ffn
    if params.lm_head and not _ignored(["lm_head"], patterns):
        total += params.lm_head
    return total
