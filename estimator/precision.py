"""Weight and cache precisions: how many bits each weight takes, with the source of each figure.

Bits are exact fractions so that memory is exact integer arithmetic: a block format stores
``block_bytes`` for ``block_weights`` weights (scales and minimums included).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class Precision:
    """How a checkpoint stores its weights.

    ``matrix_bits``: bits per weight of the block's linear layers. ``embedding_bits`` and
    ``lm_head_bits``: the embedding and output projection, which most schemes keep at 16 bits.
    ``gguf_type``: the llama.cpp mix (attention V and FFN down at more bits in some layers).
    """

    key: str
    label: str
    matrix_bits: Fraction
    embedding_bits: Fraction
    lm_head_bits: Fraction
    small_bits: Fraction  # norms, biases, routers
    source: str
    note: str = ""
    gguf_more_bits: Fraction | None = None  # bits of attn_v/ffn_down in "more bits" layers

    @property
    def matrix_bytes_per_weight(self) -> Fraction:
        return self.matrix_bits / 8


SIXTEEN = Fraction(16)
THIRTY_TWO = Fraction(32)
# GPTQ and AWQ: 4-bit weights plus, per group of 128 input weights, an fp16 scale and a packed
# 4-bit zero point. Sources: AutoGPTQ/AutoAWQ default group_size=128; GPTQ paper arXiv
# 2210.17323 §4 (grouping); AWQ paper arXiv 2306.00978.
INT4_GROUP = Fraction(4) + Fraction(16 + 4, 128)
# bitsandbytes NF4 with double quantisation: 4 bits + 8-bit absmax per 64 weights + an fp32
# constant per 256 blocks. Source: QLoRA, arXiv 2305.14314 §3 ("0.127 bits per parameter").
NF4 = Fraction(4) + Fraction(8, 64) + Fraction(32, 64 * 256)
# llama.cpp block formats: bytes per block / weights per block. Source: ggml-common.h
# (block_q8_0: 2 + 32 bytes per 32; block_q6_K 210, block_q5_K 176, block_q4_K 144,
# block_q3_K 110, block_q2_K 84 bytes per 256 weights).
Q8_0 = Fraction(34 * 8, 32)
Q4_0 = Fraction(18 * 8, 32)  # block_q4_0: an fp16 scale and 16 bytes of 4-bit values per 32
Q6_K = Fraction(210 * 8, 256)
Q5_K = Fraction(176 * 8, 256)
Q4_K = Fraction(144 * 8, 256)
Q3_K = Fraction(110 * 8, 256)
Q2_K = Fraction(84 * 8, 256)

# MXFP4: blocks of 32 FP4 (E2M1) values sharing one 8-bit (E8M0) scale, 4.25 bits per weight.
# Source: OCP Microscaling Formats (MX) Specification v1.0, §5 (MXFP4: k = 32, E8M0 scale);
# the gpt-oss model card, arXiv 2508.10925 ("MXFP4 format (4.25 bits)").
MXFP4 = Fraction(4) + Fraction(8, 32)
# The published checkpoint as it is: its quantization_config decides (estimator/memory.py).
NATIVE = "native"

PRECISIONS: dict[str, Precision] = {
    p.key: p
    for p in (
        Precision(
            NATIVE,
            "Native (as published)",
            SIXTEEN,
            SIXTEEN,
            SIXTEEN,
            SIXTEEN,
            "the checkpoint's own format, from its quantization_config: FP8 with block scales, "
            "MXFP4 experts, or 16 bits without one",
        ),
        Precision("bf16", "BF16", SIXTEEN, SIXTEEN, SIXTEEN, SIXTEEN, "2 bytes per weight"),
        Precision("fp16", "FP16", SIXTEEN, SIXTEEN, SIXTEEN, SIXTEEN, "2 bytes per weight"),
        Precision(
            "fp8",
            "FP8 (W8)",
            Fraction(8),
            SIXTEEN,
            SIXTEEN,
            SIXTEEN,
            "FP8 E4M3 weights, per-tensor scales (negligible); embedding and output at BF16 "
            "as in DeepSeek-V3's and vLLM's FP8 checkpoints",
        ),
        Precision(
            "int8",
            "INT8 (W8A16)",
            Fraction(8) + Fraction(16, 4096),
            SIXTEEN,
            SIXTEEN,
            SIXTEEN,
            "8-bit weights with an fp16 scale per output channel (bounded here by one per 4096 "
            "weights); LLM.int8(), arXiv 2208.07339",
        ),
        Precision(
            "gptq-int4",
            "GPTQ INT4 (g128)",
            INT4_GROUP,
            SIXTEEN,
            SIXTEEN,
            SIXTEEN,
            "GPTQ, arXiv 2210.17323; group size 128 with fp16 scales and 4-bit zeros",
        ),
        Precision(
            "awq-int4",
            "AWQ INT4 (g128)",
            INT4_GROUP,
            SIXTEEN,
            SIXTEEN,
            SIXTEEN,
            "AWQ, arXiv 2306.00978; group size 128 with fp16 scales and 4-bit zeros",
        ),
        Precision(
            "nf4",
            "bitsandbytes NF4",
            NF4,
            SIXTEEN,
            SIXTEEN,
            SIXTEEN,
            "QLoRA, arXiv 2305.14314 §3: NF4 with double quantisation",
        ),
        Precision(
            "q8_0",
            "GGUF Q8_0",
            Q8_0,
            Q8_0,
            Q8_0,
            THIRTY_TWO,
            "llama.cpp ggml-common.h block_q8_0; norms kept in F32",
        ),
        Precision(
            "q4_0",
            "GGUF Q4_0",
            Q4_0,
            Q4_0,
            Q6_K,
            THIRTY_TWO,
            "llama.cpp ggml-common.h block_q4_0 (2 + 16 bytes per 32 weights); output Q6_K "
            "(llama_tensor_get_type); norms kept in F32",
        ),
        Precision(
            "q6_k",
            "GGUF Q6_K",
            Q6_K,
            Q6_K,
            Q6_K,
            THIRTY_TWO,
            "llama.cpp ggml-common.h block_q6_K; norms kept in F32",
        ),
        Precision(
            "q5_k_m",
            "GGUF Q5_K_M",
            Q5_K,
            Q5_K,
            Q6_K,
            THIRTY_TWO,
            "llama.cpp llama_tensor_get_type: Q5_K, output Q6_K, attn_v/ffn_down Q6_K in "
            "'more bits' layers",
            gguf_more_bits=Q6_K,
        ),
        Precision(
            "q4_k_m",
            "GGUF Q4_K_M",
            Q4_K,
            Q4_K,
            Q6_K,
            THIRTY_TWO,
            "llama.cpp llama_tensor_get_type: Q4_K, output Q6_K, attn_v/ffn_down Q6_K in "
            "'more bits' layers",
            gguf_more_bits=Q6_K,
        ),
        Precision(
            "q3_k_m",
            "GGUF Q3_K_M",
            Q3_K,
            Q3_K,
            Q6_K,
            THIRTY_TWO,
            "llama.cpp llama_tensor_get_type: Q3_K, output Q6_K, attn_v/ffn_down Q4_K in "
            "'more bits' layers (simplified)",
            gguf_more_bits=Q4_K,
        ),
        Precision(
            "q2_k",
            "GGUF Q2_K",
            Q2_K,
            Q2_K,
            Q6_K,
            THIRTY_TWO,
            "llama.cpp llama_tensor_get_type: Q2_K, output Q6_K, attn_v/ffn_down Q3_K in "
            "'more bits' layers (simplified)",
            gguf_more_bits=Q3_K,
        ),
    )
}

# KV cache element sizes in bytes. fp8 KV: vLLM's kv_cache_dtype="fp8".
KV_DTYPES: dict[str, int] = {"bf16": 2, "fp16": 2, "fp8": 1, "fp32": 4}


def gguf_more_bits_layer(index: int, layers: int) -> bool:
    """llama.cpp's ``use_more_bits``: the first and last eighth of the layers and every third
    layer in between keep attention V and FFN down at more bits (src/llama-quant.cpp)."""
    return index < layers // 8 or index >= 7 * layers // 8 or (index - layers // 8) % 3 == 2
