"""Parse a Hugging Face config.json into a normalised architecture.

Each family names the same numbers differently (ChatGLM's ``multi_query_group_num``,
DeepSeek's ``n_routed_experts``, Mixtral's ``num_local_experts``). This module is the one
place that knows those names. Defaults follow the family's ``transformers`` configuration
class (or its ``trust_remote_code`` modelling file) where a key is absent.
"""

from __future__ import annotations

import math
import reprlib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any, Literal, NamedTuple, overload

# Bounds on a config's numbers. Each sits far above the largest published value, so no real
# config meets one; together they keep the estimator's work and its figures small whatever a
# pasted config says (the layer count drives loops; the rest keep every product within floats).
# The deepest published decoder has 126 layers (Llama 3.1 405B's config.json); the estimator
# counts layer by layer, so 10**9 layers would take minutes and exhaust memory.
MAX_LAYERS = 2048
# The widest published matrix: PaLM 540B's FFN, 4 × d_model = 73,728 (arXiv 2204.02311 §2).
MAX_WIDTH = 2**20
# The most attention heads published: 128 (Llama 3.1 405B, DeepSeek-V3).
MAX_HEADS = 2**14
# The most routed experts published: 384 (Kimi K2's config.json, n_routed_experts).
MAX_EXPERTS = 2**14
# The largest published vocabulary: about 262K entries (Gemma 3's config.json).
MAX_VOCABULARY = 2**24
# The longest published context: 10M tokens (Llama 4 Scout). 2**30 is 100 times that and still
# fits the catalog's 32-bit integer columns, where parsed configs are stored.
MAX_POSITIONS = 2**30
# Gated DeltaNet's and Mamba's short convolution spans 4 positions in published configs
# (Qwen3-Next's linear_conv_kernel_dim, Nemotron-H's conv_kernel).
MAX_CONV_KERNEL = 1024
# A ViT's MLP is 4 times its width (Qwen2-VL's vision_config mlp_ratio: 4).
MAX_MLP_RATIO = 64

# Error messages (constants: the tests assert on them).
NOT_AN_OBJECT = "config.json must be a JSON object."
MISSING_FIELD = "config.json has no '{field}'."
NOT_POSITIVE_INTEGER = "'{field}' must be a positive integer; got {value}."
NOT_A_COUNT = "'{field}' must be a whole number, 0 or more; got {value}."
TOO_LARGE = "'{field}' is {value}; the estimator handles at most {limit} {unit}."
NOT_BOOLEAN = "'{field}' must be true or false; got {value}."
NOT_POSITIVE_NUMBER = "'{field}' must be a positive number; got {value}."
NUMBER_TOO_LARGE = "'{field}' is {value}; at most {limit} is accepted."
NOT_TEXT = "'{field}' must be a string; got {value}."
NOT_MAPPING = "'{field}' must be an object; got {value}."
UNSUPPORTED = (
    "Unsupported architecture {model_type}. Supported: {families} "
    "(model_type one of {model_types})."
)
NOT_CLASS_NAMES = "'architectures' must be a list of class names; got {value}."
HEADS_WIDER_THAN_HIDDEN = (
    "'num_attention_heads' ({heads}) is more than 'hidden_size' ({hidden}); give 'head_dim'."
)
KV_HEADS_NOT_DIVISOR = "'{field}' ({kv_heads}) must divide 'num_attention_heads' ({heads})."
TOO_MANY_ACTIVE_EXPERTS = (
    "'num_experts_per_tok' ({active}) is more than the {experts} experts of each layer."
)
ODD_QWEN_INTERMEDIATE = (
    "'intermediate_size' must be even for Qwen (two SwiGLU branches); got {value}."
)

# The bound and its unit of every integer the parsers read, by key.
_LIMITS: dict[str, tuple[int, str]] = {
    **dict.fromkeys(
        (
            "num_hidden_layers",
            "num_layers",
            "depth",
            "num_nextn_predict_layers",
            "mtp_num_hidden_layers",
            "first_k_dense_replace",
            "max_window_layers",
            "full_attention_interval",
            "decoder_sparse_step",
            "interleave_moe_layer_step",
            "sliding_window_pattern",
            "no_rope_layer_interval",
        ),
        (MAX_LAYERS, "layers"),
    ),
    **dict.fromkeys(
        (
            "hidden_size",
            "head_dim",
            "intermediate_size",
            "moe_intermediate_size",
            "shared_expert_intermediate_size",
            "inner_hidden_size",
            "ffn_hidden_size",
            "kv_channels",
            "q_lora_rank",
            "kv_lora_rank",
            "qk_rope_head_dim",
            "qk_nope_head_dim",
            "v_head_dim",
            "embed_dim",
            "out_hidden_size",
            "patch_size",
            "temporal_patch_size",
            "in_chans",
            "in_channels",
            "spatial_merge_size",
            "linear_key_head_dim",
            "linear_value_head_dim",
            "index_head_dim",
            "intermediate_size_mlp",
            "moe_shared_expert_intermediate_size",
            "shared_intermediate_size",
            "group_size",
            "mamba_head_dim",
            "ssm_state_size",
            "mamba_d_head",
            "mamba_d_state",
            "mamba_expand",
            "image_size",
            "num_channels",
            "projector_input_dim",
            "projector_output_dim",
            "vision_output_dim",
        ),
        (MAX_WIDTH, "dimensions"),
    ),
    "conv_kernel": (MAX_CONV_KERNEL, "positions"),
    "mamba_d_conv": (MAX_CONV_KERNEL, "positions"),
    "num_position_embeddings": (MAX_POSITIONS, "positions"),
    # A short convolution over the last few positions: 4 in every published hybrid config.
    "linear_conv_kernel_dim": (MAX_CONV_KERNEL, "positions"),
    **dict.fromkeys(
        (
            "num_attention_heads",
            "num_key_value_heads",
            "multi_query_group_num",
            "linear_num_key_heads",
            "linear_num_value_heads",
            "index_n_heads",
            "mamba_num_heads",
            "n_groups",
            "mamba_n_heads",
            "mamba_n_groups",
        ),
        (MAX_HEADS, "heads"),
    ),
    **dict.fromkeys(
        (
            "num_experts",
            "n_routed_experts",
            "num_local_experts",
            "num_experts_per_tok",
            "num_shared_experts",
            "n_shared_experts",
        ),
        (MAX_EXPERTS, "experts"),
    ),
    **dict.fromkeys(("vocab_size", "padded_vocab_size"), (MAX_VOCABULARY, "vocabulary entries")),
    **dict.fromkeys(
        (
            "max_position_embeddings",
            "model_max_length",
            "seq_length",
            "max_sequence_length",
            "sliding_window",
            "index_topk",
            "attention_chunk_size",
        ),
        (MAX_POSITIONS, "tokens"),
    ),
}


def _shown(value: Any) -> str:
    """``value`` as a message quotes it: short, however large or deep the pasted value."""
    return _SHORT_REPR.repr(value)


_SHORT_REPR = reprlib.Repr()
_SHORT_REPR.maxlevel = 2
_SHORT_REPR.maxstring = _SHORT_REPR.maxother = _SHORT_REPR.maxlong = 40
_SHORT_REPR.maxlist = _SHORT_REPR.maxdict = 4


class ConfigError(ValueError):
    """A config.json cannot be understood; ``field`` names the key at fault."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class MlaDims(NamedTuple):
    """DeepSeek's multi-head latent attention: query and key/value ranks, head widths."""

    q_lora_rank: int | None
    kv_lora_rank: int
    nope: int  # qk_nope_head_dim
    rope: int  # qk_rope_head_dim
    v: int  # v_head_dim


@dataclass(frozen=True)
class Architecture:
    """The numbers of a decoder-only transformer that decide its size and memory.

    ``intermediate_size`` is the width of one dense FFN branch (gate/up projection output).
    MoE numbers are ``None`` for dense models. MLA ranks are ``None`` without latent attention.
    """

    model_type: str
    architecture_class: str
    num_layers: int
    hidden_size: int
    num_attention_heads: int
    num_kv_heads: int
    head_dim: int
    intermediate_size: int
    vocab_size: int
    tie_word_embeddings: bool
    qkv_bias: bool
    max_position_embeddings: int | None = None
    sliding_window: int | None = None
    rope_theta: float | None = None
    rope_scaling_type: str = ""
    num_experts: int | None = None
    num_experts_per_token: int | None = None
    num_shared_experts: int | None = None
    moe_intermediate_size: int | None = None
    shared_expert_intermediate_size: int | None = None
    first_dense_layers: int | None = None
    q_lora_rank: int | None = None
    kv_lora_rank: int | None = None
    qk_rope_head_dim: int | None = None
    qk_nope_head_dim: int | None = None
    v_head_dim: int | None = None
    sliding_window_layers: int = 0
    num_mtp_layers: int = 0
    vision: VisionTower | None = None
    # The per-layer schedule, where the config gives one (``layer_types``, an interval): each
    # layer's token mixer, one of ``LAYER_TYPES``. Empty: every layer attends (sliding or not
    # as ``sliding_window_layers`` says).
    layer_types: tuple[str, ...] = ()
    # Layers of an MoE model whose FFN is dense besides the first ``first_dense_layers``
    # (Qwen's ``mlp_only_layers`` and ``decoder_sparse_step``).
    dense_layers: tuple[int, ...] = ()
    linear_attention: LinearAttention | None = None
    # The dtype the config asks the runtime to keep recurrent state in ("" for the weights').
    state_dtype: str = ""
    # How the published checkpoint stores its weights (``quantization_config``); None: as
    # the config's dtype (16-bit).
    quantization: Quantization | None = None
    # DeepSeek sparse attention's lightning indexer, on every layer (None without one).
    indexer: SparseIndexer | None = None
    # Per-head query/key norms: "" as the family's structure says (``Structure.qk_norm``),
    # "none", "head" (one norm of head_dim shared by the heads) or "layer" (one norm over every
    # head's width: MiniMax-M2's qk_norm_type "per_layer"). See ``QK_NORMS``.
    qk_norm: str = ""
    # Llama 4's chunked attention: each query sees only its chunk of this many tokens.
    attention_chunk: int | None = None
    # The Mamba-2 mixers of a hybrid model (Nemotron-H), None without any.
    mamba: Mamba | None = None

    @property
    def linear_attention_layers(self) -> int:
        return self.layer_types.count("linear_attention")

    @property
    def mamba_layers(self) -> int:
        return self.layer_types.count("mamba")

    @property
    def chunked_attention_layers(self) -> int:
        return self.layer_types.count("chunked_attention")

    @property
    def kv_layers(self) -> int:
        """Layers that keep a KV cache: every layer, or those the schedule makes attend."""
        if not self.layer_types:
            return self.num_layers
        return sum(1 for kind in self.layer_types if kind in ATTENTION_KINDS)

    @property
    def full_attention_layers(self) -> int:
        """Layers whose KV cache grows with the whole context."""
        windowed = self.sliding_window_layers if self.sliding_window else 0
        chunked = self.chunked_attention_layers if self.attention_chunk else 0
        return self.kv_layers - windowed - chunked

    def layer_type(self, index: int) -> str:
        """Layer ``index``'s token mixer; full attention past the schedule (an MTP block)."""
        return self.layer_types[index] if index < len(self.layer_types) else "full_attention"

    def is_moe_layer(self, index: int) -> bool:
        if self.structure.separate_blocks:
            return self.layer_type(index) == "moe"
        return (
            self.is_moe
            and index >= (self.first_dense_layers or 0)
            and index not in self.dense_layers
        )

    @property
    def structure(self) -> Structure:
        """How the family builds a layer (norms, biases, FFN shape): see ``STRUCTURES``."""
        return STRUCTURES[self.model_type]

    @property
    def is_moe(self) -> bool:
        return self.num_experts is not None

    @property
    def uses_mla(self) -> bool:
        return self.kv_lora_rank is not None

    @property
    def mla(self) -> MlaDims:
        """The latent-attention dimensions; call only when ``uses_mla`` (parse_config reads
        them all with kv_lora_rank)."""
        assert self.kv_lora_rank is not None
        assert self.v_head_dim is not None
        assert self.qk_nope_head_dim is not None
        assert self.qk_rope_head_dim is not None
        return MlaDims(
            self.q_lora_rank,
            self.kv_lora_rank,
            self.qk_nope_head_dim,
            self.qk_rope_head_dim,
            self.v_head_dim,
        )

    def as_dict(self) -> dict[str, Any]:
        """Every field, nested numbers (vision tower, linear attention) as plain dicts."""
        return asdict(self)


@dataclass(frozen=True)
class Structure:
    """What a family's modelling code builds around the numbers of its config.

    Sources: each family's ``modeling_*.py`` in transformers or in the model repository
    (``trust_remote_code``), read for the modules that hold parameters.
    """

    norms_per_layer: int = 2  # RMSNorm/LayerNorm weights per decoder layer
    norm_bias: bool = False  # LayerNorm (with bias) instead of RMSNorm
    ffn_gated: bool = True  # SwiGLU/GeGLU: gate, up and down projections
    ffn_bias: bool = False
    o_bias: bool = False  # bias on the attention output projection
    qk_norm: bool = False  # per-head RMSNorm on queries and keys (Qwen3)
    o_bias_with_qkv: bool = False  # the output projection has a bias when q/k/v have one
    router_bias: bool = False  # one per expert: DeepSeek-V3's e_score_correction_bias, gpt-oss's
    shared_expert_gate: bool = False  # Qwen2-MoE's sigmoid gate on the shared expert
    attention_sinks: bool = False  # one learned sink logit per attention head (gpt-oss)
    attention_output_gate: bool = False  # q_proj also yields a sigmoid gate per head (Qwen3-Next)
    # Each layer holds one block, a token mixer or an FFN, not both (Nemotron-H's
    # hybrid_override_pattern: Mamba-2, attention, MLP or MoE, each behind one norm).
    separate_blocks: bool = False


STRUCTURES: dict[str, Structure] = {
    "llama": Structure(),
    "yi": Structure(),
    "mistral": Structure(),
    "mixtral": Structure(),
    "baichuan": Structure(),
    "phi3": Structure(),
    "qwen": Structure(),
    "qwen2": Structure(),
    "qwen2_vl": Structure(),
    "qwen2_5_vl": Structure(),
    "qwen2_moe": Structure(shared_expert_gate=True),
    "qwen3": Structure(qk_norm=True),
    "qwen3_moe": Structure(qk_norm=True),
    "deepseek_v2": Structure(),
    "deepseek_v3": Structure(router_bias=True),
    # Kimi K2 is DeepSeek-V3's architecture (its config names DeepseekV3ForCausalLM) with more
    # experts and fewer heads.
    "kimi_k2": Structure(router_bias=True),
    # DeepSeek sparse attention (DeepSeek-V3.2, GLM-5): DeepSeek-V3's layers plus a lightning
    # indexer per layer (SparseIndexer).
    "deepseek_v32": Structure(router_bias=True),
    "glm_moe_dsa": Structure(router_bias=True),
    "bailing_moe": Structure(),
    # Gemma 2 normalises before and after both attention and the MLP.
    "gemma2": Structure(norms_per_layer=4),
    # ChatGLM2/3 and GLM-4: RMSNorm, fused SwiGLU, bias on the fused QKV only.
    "chatglm": Structure(),
    # ChatGLM-6B (first generation): LayerNorm, GeLU MLP, biases on every linear layer.
    "chatglm1": Structure(norm_bias=True, ffn_gated=False, ffn_bias=True, o_bias=True),
    # GLM-130B: DeepNorm post-LayerNorm, GeGLU, biases on every linear layer.
    "glm130b": Structure(norm_bias=True, ffn_bias=True, o_bias=True),
    # Grok-1: RMSNorm before and after attention and the MoE block.
    "grok1": Structure(norms_per_layer=4),
    # gpt-oss (transformers models/gpt_oss/modeling_gpt_oss.py): q, k, v and o projections all
    # take attention_bias; a sink logit per head; a router with a bias; every expert's fused
    # gate/up and down projections have biases.
    "gpt_oss": Structure(
        o_bias_with_qkv=True, router_bias=True, attention_sinks=True, ffn_bias=True
    ),
    # Qwen3-Next (transformers models/qwen3_next/modular_qwen3_next.py): full-attention layers
    # with q/k norms and an output gate from q_proj; Gated DeltaNet layers (LinearAttention);
    # Qwen2-MoE's experts with a gated shared expert.
    "qwen3_next": Structure(qk_norm=True, shared_expert_gate=True, attention_output_gate=True),
    # GLM-4.5/4.6 (transformers models/glm4_moe/modeling_glm4_moe.py): DeepSeek-V3's MoE (a
    # router with e_score_correction_bias, shared experts, the first layers dense) under
    # grouped-query attention with q/k/v biases (attention_bias; o_proj has none) and q/k norms
    # of head_dim where use_qk_norm says (Architecture.qk_norm).
    "glm4_moe": Structure(router_bias=True),
    # MiniMax-M2 (transformers models/minimax_m2/modeling_minimax_m2.py): every layer MoE with a
    # routing bias (e_score_correction_bias), no shared expert, q/k norms over every head's
    # width (qk_norm_type "per_layer").
    "minimax_m2": Structure(router_bias=True),
    # Gemma 3 (transformers models/gemma3/modeling_gemma3.py): Gemma 2's four norms per layer
    # and q/k norms of head_dim; gemma3 adds the SigLIP tower (VisionTower kind "siglip").
    "gemma3_text": Structure(norms_per_layer=4, qk_norm=True),
    "gemma3": Structure(norms_per_layer=4, qk_norm=True),
    # Llama 4 (transformers models/llama4/modeling_llama4.py): MoE layers with one always-on
    # shared expert and a router without bias; the q/k L2 norm has no weights.
    "llama4": Structure(),
    # Qwen3-VL (transformers models/qwen3_vl, qwen3_vl_moe): Qwen3's text layers and a ViT with
    # deepstack mergers (VisionTower kind "qwen3_vl").
    "qwen3_vl": Structure(qk_norm=True),
    "qwen3_vl_moe": Structure(qk_norm=True),
    # Mistral 3 (transformers models/mistral3, pixtral): Mistral's text layers and the Pixtral
    # encoder (VisionTower kind "pixtral").
    "mistral3": Structure(),
    # Seed-OSS (transformers models/seed_oss/modeling_seed_oss.py): Llama's layers with q/k/v
    # biases (attention_bias; o_proj's attention_out_bias is false in the published config).
    "seed_oss": Structure(),
    # Qwen3.5/3.6 (transformers models/qwen3_5, qwen3_5_moe): Qwen3-Next's layers (Gated DeltaNet
    # and gated attention; a shared expert with its gate in the MoE version, a dense FFN in
    # qwen3_5) and Qwen3-VL's vision tower without deepstack mergers.
    "qwen3_5": Structure(qk_norm=True, attention_output_gate=True),
    "qwen3_5_moe": Structure(qk_norm=True, shared_expert_gate=True, attention_output_gate=True),
    # Nemotron-H (transformers models/nemotron_h/modeling_nemotron_h.py): blocks of one mixer
    # each behind one RMSNorm; MLPs and experts are squared-ReLU up/down projections without a
    # gate or biases; the MoE router has e_score_correction_bias.
    # Granite 4.0-H (transformers models/granitemoehybrid/modeling_granitemoehybrid.py): a
    # Mamba-2 or attention mixer, then on every layer a shared SwiGLU MLP (fused input_linear)
    # and, where num_local_experts, routed experts behind a router without bias.
    "granitemoehybrid": Structure(),
    "nemotron_h": Structure(
        norms_per_layer=1,
        ffn_gated=False,
        router_bias=True,
        o_bias_with_qkv=True,
        separate_blocks=True,
    ),
}
QK_NORMS = ("", "none", "head", "layer")


@dataclass(frozen=True)
class SparseIndexer:
    """DeepSeek sparse attention's lightning indexer (``index_n_heads``, ``index_head_dim``).

    Source: DeepSeek-V3.2-Exp inference/model.py, class Indexer: ``wq_b`` (q_lora_rank →
    heads × head_dim), ``wk`` (hidden → head_dim), ``k_norm`` (a LayerNorm, weight and bias),
    ``weights_proj`` (hidden → heads); it caches one key of head_dim per token in FP8 with an
    fp32 scale per 128 values (``k_cache``, ``k_scale_cache``).
    """

    heads: int
    head_dim: int
    top_k: int


@dataclass(frozen=True)
class Quantization:
    """The published checkpoint's storage format, from ``quantization_config``.

    ``fp8``: linear layers in FP8 E4M3 with one fp32 scale per ``block`` of weights (DeepSeek,
    Kimi, MiniMax: ``weight_block_size``). ``mxfp4``: the routed experts in MXFP4, 4-bit values
    with one 8-bit scale per 32 (gpt-oss; the OCP Microscaling spec). Any other method is
    recorded with ``understood`` false: the parameters are still counted, but the checkpoint's
    own size is not estimated.

    ``int4`` (compressed-tensors ``pack-quantized``, Kimi K2 Thinking's quantisation-aware
    INT4) and ``nvfp4`` (NVIDIA ModelOpt or compressed-tensors FP4): 4-bit weights with one
    scale per ``group`` of inputs (BF16 for int4, FP8 E4M3 for nvfp4) in every linear layer of
    the blocks but the modules ``ignore`` names (literal names or fnmatch wildcards; "re:" for a
    regular expression), as the checkpoint's quantization_config lists them.
    """

    method: str
    block: tuple[int, int] | None = None
    understood: bool = True
    group: int | None = None
    ignore: tuple[str, ...] = ()


@dataclass(frozen=True)
class LinearAttention:
    """A Gated DeltaNet layer's numbers (Qwen3-Next's ``linear_*`` keys).

    Source: transformers ``Qwen3NextGatedDeltaNet``: in_proj_qkvz (hidden → 2·keys + 2·values),
    in_proj_ba (hidden → 2 per value head), a depthwise conv1d without bias over the q, k and
    v channels, dt_bias and A_log per value head, a gated RMSNorm of one value head's width,
    out_proj (values → hidden). Its cache is a fixed state: the conv's last ``kernel - 1``
    inputs and one key × value matrix per value head.
    """

    num_key_heads: int
    num_value_heads: int
    key_head_dim: int
    value_head_dim: int
    conv_kernel: int

    @property
    def key_dim(self) -> int:
        return self.num_key_heads * self.key_head_dim

    @property
    def value_dim(self) -> int:
        return self.num_value_heads * self.value_head_dim

    @property
    def conv_dim(self) -> int:
        return 2 * self.key_dim + self.value_dim

    @property
    def state_values(self) -> int:
        """Values of one sequence's state in one layer."""
        conv = self.conv_dim * (self.conv_kernel - 1)
        recurrent = self.num_value_heads * self.key_head_dim * self.value_head_dim
        return conv + recurrent


@dataclass(frozen=True)
class Mamba:
    """A Mamba-2 mixer's numbers (Nemotron-H's ``mamba_*``, ``n_groups``, ``ssm_state_size``).

    Source: transformers ``NemotronHMamba2Mixer``: the inner width is mamba_num_heads ×
    mamba_head_dim (not expand × hidden); in_proj (hidden → 2 × inner + 2 × groups × state +
    heads), a depthwise conv1d (with a bias where use_conv_bias) over inner + 2 × groups ×
    state channels, dt_bias, A_log and D per head, a gated RMSNorm of the inner width,
    out_proj (inner → hidden); biases on the projections where use_bias. Its cache is a fixed
    state: the conv's last ``kernel - 1`` inputs and heads × head_dim × state values (vLLM
    MambaStateShapeCalculator.mamba2_state_shape).
    """

    num_heads: int
    head_dim: int
    groups: int
    state_size: int
    conv_kernel: int
    conv_bias: bool = True
    bias: bool = False

    @property
    def inner(self) -> int:
        return self.num_heads * self.head_dim

    @property
    def conv_dim(self) -> int:
        return self.inner + 2 * self.groups * self.state_size

    @property
    def conv_state_values(self) -> int:
        return self.conv_dim * (self.conv_kernel - 1)

    @property
    def recurrent_state_values(self) -> int:
        return self.num_heads * self.head_dim * self.state_size


@dataclass(frozen=True)
class VisionTower:
    """A vision encoder's numbers (``vision_config``), by ``kind``:

    - ``qwen2_5_vl``: Qwen2-VL/Qwen2.5-VL's ViT and patch merger;
    - ``qwen3_vl``: Qwen3-VL's ViT (LayerNorms, GELU MLP, learned positions) with a merger and
      one deepstack merger per ``deepstack_visual_indexes`` entry;
    - ``siglip``: Gemma 3's SigLIP encoder and multi-modal projector;
    - ``llama4``: Llama 4's ViT, pixel-shuffle adapter and projector;
    - ``pixtral``: Mistral 3's Pixtral encoder, patch merger and projector.
    """

    depth: int
    hidden_size: int
    intermediate_size: int
    out_hidden_size: int
    patch_size: int
    temporal_patch_size: int
    in_channels: int
    spatial_merge_size: int
    kind: str = "qwen2_5_vl"
    image_size: int = 0
    num_position_embeddings: int = 0
    deepstack_layers: int = 0
    projector_input_dim: int = 0
    projector_output_dim: int = 0
    output_dim: int = 0  # Llama 4's vision_output_dim, the projector's input
    projector_bias: bool = False  # Mistral 3's multimodal_projector_bias
    feature_layers: int = 1  # Mistral 3: how many ViT layers' outputs feed the projector


# Families whose config follows the Llama naming (num_hidden_layers, num_key_value_heads…),
# with the default of tie_word_embeddings and of the q/k/v bias in their transformers class.
_LLAMA_LIKE: dict[str, dict[str, Any]] = {
    "llama": {"tie": False, "qkv_bias": False},
    "mistral": {"tie": False, "qkv_bias": False},
    "mixtral": {"tie": False, "qkv_bias": False},
    "qwen2": {"tie": False, "qkv_bias": True},
    "qwen2_moe": {"tie": False, "qkv_bias": True},
    "qwen2_vl": {"tie": False, "qkv_bias": True},
    "qwen2_5_vl": {"tie": False, "qkv_bias": True},
    "qwen3": {"tie": False, "qkv_bias": False},
    "qwen3_moe": {"tie": False, "qkv_bias": False},
    "deepseek_v2": {"tie": False, "qkv_bias": False},
    "deepseek_v3": {"tie": False, "qkv_bias": False},
    "kimi_k2": {"tie": False, "qkv_bias": False},
    "deepseek_v32": {"tie": False, "qkv_bias": False},
    "glm_moe_dsa": {"tie": False, "qkv_bias": False},
    "baichuan": {"tie": False, "qkv_bias": False},
    "gemma2": {"tie": True, "qkv_bias": False},
    "phi3": {"tie": False, "qkv_bias": False},
    "bailing_moe": {"tie": False, "qkv_bias": False},
    "yi": {"tie": False, "qkv_bias": False},
    "gpt_oss": {"tie": False, "qkv_bias": True},
    "qwen3_next": {"tie": False, "qkv_bias": False},
    "glm4_moe": {"tie": False, "qkv_bias": False},
    "minimax_m2": {"tie": False, "qkv_bias": False},
    "gemma3_text": {"tie": True, "qkv_bias": False},
    "gemma3": {"tie": True, "qkv_bias": False},
    "llama4": {"tie": False, "qkv_bias": False},
    "qwen3_vl": {"tie": False, "qkv_bias": False},
    "qwen3_vl_moe": {"tie": False, "qkv_bias": False},
    "mistral3": {"tie": False, "qkv_bias": False},
    "seed_oss": {"tie": False, "qkv_bias": True},
    "qwen3_5": {"tie": False, "qkv_bias": False},
    "qwen3_5_moe": {"tie": False, "qkv_bias": False},
}
SUPPORTED_MODEL_TYPES: tuple[str, ...] = tuple(
    sorted([*_LLAMA_LIKE, "chatglm", "qwen", "nemotron_h", "granitemoehybrid"])
)
# Types that only come from curated numbers (no config.json is published).
NUMBERS_ONLY_MODEL_TYPES = ("chatglm1", "glm130b", "grok1")

_FAMILY_NAMES = (
    "Llama 1/2/3/3.1 (Yi, Vicuna), Mistral, Mixtral, Qwen, Qwen2/2.5, Qwen2-MoE, Qwen2.5-VL, "
    "Qwen3, Qwen3-MoE, DeepSeek-V2/V3, ChatGLM/ChatGLM2/3, GLM-4, Baichuan/Baichuan2, "
    "Gemma 2, Phi-3, Ling (bailing_moe), gpt-oss, Qwen3-Next, Kimi K2, DeepSeek-V3.2, GLM-5, "
    "GLM-4.5/4.6 (glm4_moe), MiniMax-M2, Gemma 3, Llama 4, Qwen3-VL, Nemotron-H, "
    "Granite 4.0-H (granitemoehybrid), Mistral Small 3.x and Ministral 3 (mistral3), "
    "Seed-OSS, Phi-4 (phi3), Qwen3.5/3.6 (qwen3_5, qwen3_5_moe)"
)
# Per-layer attention kinds a ``layer_types`` list may name, and those it may not yet: a
# config with one of those is refused, never counted as if its layers were full attention.
LAYER_TYPES = (
    "full_attention",
    "sliding_attention",
    "chunked_attention",
    "linear_attention",
    "mamba",
    "mlp",
    "moe",
)
# The kinds that keep a KV cache.
ATTENTION_KINDS = ("full_attention", "sliding_attention", "chunked_attention")
# The kinds each architecture builds (its modelling code's layer classes).
_LAYER_TYPES_OF = {
    "gpt_oss": ("full_attention", "sliding_attention"),
    "qwen3_next": ("full_attention", "linear_attention"),
    "qwen3_5": ("full_attention", "linear_attention"),
    "qwen3_5_moe": ("full_attention", "linear_attention"),
    "gemma3_text": ("full_attention", "sliding_attention"),
    "gemma3": ("full_attention", "sliding_attention"),
    "llama4": ("full_attention", "chunked_attention"),
    "nemotron_h": ("mamba", "full_attention", "mlp", "moe"),
}
LAYER_TYPE_UNKNOWN = "'layer_types' names {value}, which is not a layer kind; known: {known}."
LAYER_TYPE_UNSUPPORTED = (
    "'layer_types' names {value} layers, which the estimator does not count yet "
    "(it understands {known})."
)
LAYER_TYPE_NOT_BUILT = (
    "'layer_types' names {value} layers, which {model_type} does not build (its layers: {known})."
)
LAYER_TYPES_LENGTH = "'layer_types' lists {count} layers; 'num_hidden_layers' is {layers}."
LAYER_TYPES_NOT_LIST = "'layer_types' must be a list of layer kinds; got {value}."
LAYER_INDICES = "'{field}' must be a list of layer numbers from 0 to {layers} - 1; got {value}."
SLIDING_WITHOUT_WINDOW = "'layer_types' has sliding-attention layers but no 'sliding_window'."
# Layer kinds of transformers' configs that other architectures use (refused until counted).
_LATER_LAYER_TYPES = (
    "conv",
    "attention",
    "linear_attention_lightning",
)


@overload
def _int(config: Mapping[str, Any], key: str, *, required: Literal[True] = ...) -> int: ...
@overload
def _int(config: Mapping[str, Any], key: str, *, required: bool) -> int | None: ...
def _int(config: Mapping[str, Any], key: str, *, required: bool = True) -> int | None:
    """The positive integer ``config[key]`` within its bound (``_LIMITS``); ``None`` when
    absent and not ``required``. Raises :class:`ConfigError` naming ``key``."""
    value = config.get(key)
    if value is None:
        if required:
            raise ConfigError(MISSING_FIELD.format(field=key), field=key)
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ConfigError(NOT_POSITIVE_INTEGER.format(field=key, value=_shown(value)), field=key)
    return _within_limit(key, value)


def _count(config: Mapping[str, Any], key: str) -> int:
    """The whole number ``config[key]`` (0 when absent) within its bound (``_LIMITS``)."""
    value = config.get(key)
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError(NOT_A_COUNT.format(field=key, value=_shown(value)), field=key)
    return _within_limit(key, value)


def _within_limit(key: str, value: int) -> int:
    limit, unit = _LIMITS[key]
    if value > limit:
        raise ConfigError(
            TOO_LARGE.format(field=key, value=_shown(value), limit=limit, unit=unit), field=key
        )
    return value


def _bool(config: Mapping[str, Any], key: str, default: bool) -> bool:
    value = config.get(key, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise ConfigError(NOT_BOOLEAN.format(field=key, value=_shown(value)), field=key)
    return value


def _number(config: Mapping[str, Any], key: str, *, maximum: float | None = None) -> float | None:
    """The positive, finite number ``config[key]`` (at most ``maximum``), or ``None``."""
    value = config.get(key)
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise ConfigError(NOT_POSITIVE_NUMBER.format(field=key, value=_shown(value)), field=key)
    if maximum is not None and value > maximum:
        raise ConfigError(
            NUMBER_TOO_LARGE.format(field=key, value=_shown(value), limit=maximum), field=key
        )
    return float(value)


def _text(config: Mapping[str, Any], key: str, *, field: str | None = None) -> str:
    """The string ``config[key]`` ("" when absent or empty)."""
    value = config.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        name = field or key
        raise ConfigError(NOT_TEXT.format(field=name, value=_shown(value)), field=name)
    return value


def _mapping(config: Mapping[str, Any], key: str) -> Mapping[str, Any] | None:
    value = config.get(key)
    if value is None or isinstance(value, Mapping):
        return value
    raise ConfigError(NOT_MAPPING.format(field=key, value=_shown(value)), field=key)


def _rope(config: Mapping[str, Any]) -> tuple[float | None, str]:
    theta = _number(config, "rope_theta")
    scaling = config.get("rope_scaling") or {}
    if not isinstance(scaling, Mapping):
        raise ConfigError("'rope_scaling' must be an object.", field="rope_scaling")
    kind = _text(scaling, "rope_type", field="rope_scaling.rope_type") or _text(
        scaling, "type", field="rope_scaling.type"
    )
    return theta, kind


def _architecture_class(config: Mapping[str, Any]) -> str:
    architectures = config.get("architectures")
    if architectures is None:
        return ""
    if not isinstance(architectures, list) or not all(
        isinstance(name, str) for name in architectures
    ):
        raise ConfigError(
            NOT_CLASS_NAMES.format(value=_shown(architectures)), field="architectures"
        )
    return architectures[0] if architectures else ""


def _head_dim(config: Mapping[str, Any], key: str | None, *, hidden: int, heads: int) -> int:
    """The width of one attention head: ``config[key]``, else ``hidden // heads``."""
    head_dim = _int(config, key, required=False) if key else None
    if head_dim is None:
        if heads > hidden:
            raise ConfigError(
                HEADS_WIDER_THAN_HIDDEN.format(heads=heads, hidden=hidden),
                field="num_attention_heads",
            )
        head_dim = hidden // heads
    return head_dim


def _kv_heads(config: Mapping[str, Any], key: str, *, heads: int, required: bool) -> int:
    """The KV heads (``heads`` when absent), which must divide the attention heads: grouped-
    query attention shares each KV head among an equal number of query heads."""
    kv_heads = _int(config, key, required=required) or heads
    if heads % kv_heads:
        raise ConfigError(
            KV_HEADS_NOT_DIVISOR.format(field=key, kv_heads=kv_heads, heads=heads), field=key
        )
    return kv_heads


def _experts(config: Mapping[str, Any], key: str) -> dict[str, int]:
    """The experts of each MoE layer (``config[key]``) and how many a token uses."""
    experts = _int(config, key)
    active = _int(config, "num_experts_per_tok")
    if active > experts:
        raise ConfigError(
            TOO_MANY_ACTIVE_EXPERTS.format(active=active, experts=experts),
            field="num_experts_per_tok",
        )
    return {"num_experts": experts, "num_experts_per_token": active}


def _layer_types(
    config: Mapping[str, Any], num_layers: int, model_type: str, default: list[str] | None = None
) -> list[str]:
    """The per-layer token mixers of ``layer_types`` (``default``, else all full attention,
    when absent): one per layer, each a kind ``model_type`` builds. Raises
    :class:`ConfigError` naming the field for a list of the wrong length or a kind the
    architecture does not build or the estimator does not count."""
    allowed = _LAYER_TYPES_OF[model_type]
    kinds = config.get("layer_types")
    if kinds is None:
        return default if default is not None else ["full_attention"] * num_layers
    if not isinstance(kinds, list) or not all(isinstance(kind, str) for kind in kinds):
        raise ConfigError(LAYER_TYPES_NOT_LIST.format(value=_shown(kinds)), field="layer_types")
    if len(kinds) != num_layers:
        raise ConfigError(
            LAYER_TYPES_LENGTH.format(count=len(kinds), layers=num_layers), field="layer_types"
        )
    for kind in kinds:
        if kind in allowed:
            continue
        if kind in LAYER_TYPES:
            template = LAYER_TYPE_NOT_BUILT
        elif kind in _LATER_LAYER_TYPES:
            template = LAYER_TYPE_UNSUPPORTED
        else:
            template = LAYER_TYPE_UNKNOWN
        raise ConfigError(
            template.format(value=_shown(kind), known=", ".join(allowed), model_type=model_type),
            field="layer_types",
        )
    return kinds


def _layer_indices(config: Mapping[str, Any], key: str, num_layers: int) -> tuple[int, ...]:
    """A list of layer indices (``mlp_only_layers``), each within the model's layers."""
    value = config.get(key)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) and 0 <= i < num_layers for i in value
    ):
        raise ConfigError(
            LAYER_INDICES.format(field=key, value=_shown(value), layers=num_layers), field=key
        )
    return tuple(sorted(set(value)))


# Gemma3TextConfig's defaults (transformers models/gemma3/configuration_gemma3.py): Gemma 3's
# multimodal configs name few text keys and leave these to the class (gemma-3-4b-it's
# text_config has no heads, head_dim or vocab_size; its embedding has 262,208 rows).
_GEMMA3_TEXT_DEFAULTS = {
    "vocab_size": 262_208,
    "num_attention_heads": 8,
    "num_key_value_heads": 4,
    "head_dim": 256,
    "max_position_embeddings": 131_072,
    "sliding_window": 4096,
    "tie_word_embeddings": True,
}


def _text_part(config: Mapping[str, Any], model_type: str) -> Mapping[str, Any]:
    """Multimodal configs keep the language model's numbers in ``text_config`` (newer) or at
    the top level (older Qwen2-VL); the vision tower is not part of the text architecture.
    A key the text config leaves out takes its class's default, else the top level's."""
    text = _mapping(config, "text_config")
    merged = {**config, **text} if text is not None and "hidden_size" in text else config
    if model_type in {"gemma3", "gemma3_text"}:
        merged = {**_GEMMA3_TEXT_DEFAULTS, **{k: v for k, v in merged.items() if v is not None}}
    return merged


def parse_config(config: Mapping[str, Any]) -> Architecture:
    """Return the normalised architecture of a Hugging Face ``config.json``.

    Raises :class:`ConfigError` naming the unsupported ``model_type`` (with the supported
    ones) or the missing or invalid field.
    """
    if not isinstance(config, Mapping):
        raise ConfigError(NOT_AN_OBJECT)
    model_type = _text(config, "model_type")
    if not model_type:
        raise ConfigError(MISSING_FIELD.format(field="model_type"), field="model_type")
    architecture_class = _architecture_class(config)
    if model_type == "chatglm":
        return _parse_chatglm(config, architecture_class)
    if model_type == "qwen":
        return _parse_qwen_v1(config, architecture_class)
    if model_type == "nemotron_h":
        return _parse_nemotron_h(config, architecture_class)
    if model_type == "granitemoehybrid":
        return _parse_granite_hybrid(config, architecture_class)
    if model_type not in _LLAMA_LIKE:
        raise ConfigError(
            UNSUPPORTED.format(
                model_type=_shown(model_type),
                families=_FAMILY_NAMES,
                model_types=", ".join(SUPPORTED_MODEL_TYPES),
            ),
            field="model_type",
        )
    return _parse_llama_like(_text_part(config, model_type), model_type, architecture_class)


def _parse_llama_like(config: Mapping[str, Any], model_type: str, arch_class: str) -> Architecture:
    defaults = _LLAMA_LIKE[model_type]
    hidden = _int(config, "hidden_size")
    heads = _int(config, "num_attention_heads")
    kv_heads = _kv_heads(config, "num_key_value_heads", heads=heads, required=False)
    mla_attention = model_type in {"deepseek_v2", "deepseek_v3", "kimi_k2", *_DSA_TYPES}
    head_dim = 0 if mla_attention else _head_dim(config, "head_dim", hidden=hidden, heads=heads)
    theta, scaling = _rope(config)
    qkv_bias = defaults["qkv_bias"]
    if "attention_bias" in config:
        qkv_bias = _bool(config, "attention_bias", qkv_bias)
    if model_type == "bailing_moe":
        qkv_bias = _bool(config, "use_qkv_bias", False)
    max_positions = _int(config, "max_position_embeddings", required=False) or _int(
        config, "model_max_length", required=False
    )
    num_layers = _int(config, "num_hidden_layers")
    sliding_window, sliding_layers = None, 0
    schedule: tuple[str, ...] = ()
    linear: LinearAttention | None = None
    attention_chunk: int | None = None
    if model_type in {"qwen2", "qwen2_moe", "qwen3", "qwen3_moe", "qwen2_5_vl", "qwen2_vl"}:
        # Qwen configs carry a sliding_window value that applies only when enabled, and then
        # only to the layers from max_window_layers on.
        if _bool(config, "use_sliding_window", False):
            sliding_window = _int(config, "sliding_window", required=False)
            first = num_layers
            if config.get("max_window_layers") is not None:
                first = _count(config, "max_window_layers")
            sliding_layers = max(0, num_layers - first) if sliding_window else 0
    elif model_type == "gpt_oss":
        kinds = _layer_types(config, num_layers, model_type)
        schedule = tuple(kinds)
        sliding_layers = kinds.count("sliding_attention")
        if sliding_layers:
            if config.get("sliding_window") is None:
                raise ConfigError(SLIDING_WITHOUT_WINDOW, field="sliding_window")
            sliding_window = _int(config, "sliding_window")
    elif model_type in _GATED_DELTANET_TYPES:
        # Without layer_types, every full_attention_interval-th layer attends and the others
        # are linear (transformers' Qwen3NextConfig: the interval defaults to 4).
        if not _bool(config, "attn_output_gate", True):
            raise ConfigError(
                "'attn_output_gate' false is not counted yet.", field="attn_output_gate"
            )
        interval = _int(config, "full_attention_interval", required=False) or 4
        every = [
            "full_attention" if (index + 1) % interval == 0 else "linear_attention"
            for index in range(num_layers)
        ]
        schedule = tuple(_layer_types(config, num_layers, model_type, default=every))
        if "linear_attention" in schedule:
            linear = _linear_attention(config)
    elif model_type in {"gemma3", "gemma3_text"}:
        # Five local layers, then a global one, starting local (Gemma3TextConfig: a layer is
        # sliding unless (index + 1) is a multiple of sliding_window_pattern, 6 by default).
        pattern = _int(config, "sliding_window_pattern", required=False) or 6
        every = [
            "full_attention" if (index + 1) % pattern == 0 else "sliding_attention"
            for index in range(num_layers)
        ]
        schedule = tuple(_layer_types(config, num_layers, model_type, default=every))
        sliding_layers = schedule.count("sliding_attention")
        sliding_window = _int(config, "sliding_window") if sliding_layers else None
    elif model_type == "llama4":
        schedule = tuple(_llama4_layer_types(config, num_layers))
        attention_chunk = (
            _int(config, "attention_chunk_size") if "chunked_attention" in schedule else None
        )
    elif config.get("sliding_window") is not None:
        sliding_window = _int(config, "sliding_window")
        # Gemma 2 alternates local (sliding) and global layers, starting with a local one.
        sliding_layers = (num_layers + 1) // 2 if model_type == "gemma2" else num_layers

    moe: dict[str, int | None] = {}
    mla: dict[str, int | None] = {}
    if model_type == "qwen3_5_moe" and config.get("intermediate_size") is None:
        # Every layer is MoE (mlp_only_layers empty): no dense width is built.
        if config.get("mlp_only_layers"):
            raise ConfigError(
                MISSING_FIELD.format(field="intermediate_size"), field="intermediate_size"
            )
        intermediate = _int(config, "moe_intermediate_size")
    else:
        intermediate = _int(config, "intermediate_size")
    if model_type in {"mixtral", "gpt_oss"}:
        moe = {**_experts(config, "num_local_experts"), "moe_intermediate_size": intermediate}
    elif model_type == "minimax_m2":
        # Every layer is MoE; intermediate_size is one expert's width (no dense FFN is built).
        moe = {**_experts(config, "num_local_experts"), "moe_intermediate_size": intermediate}
        if _count(config, "shared_intermediate_size"):
            raise ConfigError(MINIMAX_SHARED_EXPERT, field="shared_intermediate_size")
    elif model_type == "llama4":
        # intermediate_size is an expert's (and the shared expert's) width; dense layers use
        # intermediate_size_mlp (transformers Llama4TextMoe, Llama4TextMLP).
        moe = {
            **_experts(config, "num_local_experts"),
            "moe_intermediate_size": intermediate,
            "shared_expert_intermediate_size": intermediate,
            "num_shared_experts": 1,
        }
        intermediate = _int(config, "intermediate_size_mlp", required=False) or intermediate
    elif model_type == "glm4_moe":
        moe = {
            **_experts(config, "n_routed_experts"),
            "moe_intermediate_size": _int(config, "moe_intermediate_size"),
            "num_shared_experts": _count(config, "n_shared_experts") or None,
            "first_dense_layers": _count(config, "first_k_dense_replace") or None,
        }
    elif model_type in {
        "qwen2_moe",
        "qwen3_moe",
        "bailing_moe",
        "qwen3_next",
        "qwen3_vl_moe",
        "qwen3_5_moe",
    }:
        moe = {
            **_experts(config, "num_experts"),
            "moe_intermediate_size": _int(config, "moe_intermediate_size"),
        }
        if model_type in {"qwen2_moe", "qwen3_next", "qwen3_5_moe"}:
            moe["shared_expert_intermediate_size"] = _int(config, "shared_expert_intermediate_size")
            moe["num_shared_experts"] = 1
        if model_type == "bailing_moe":
            moe["num_shared_experts"] = _int(config, "num_shared_experts", required=False)
            moe["first_dense_layers"] = _count(config, "first_k_dense_replace") or None
    elif mla_attention:
        if config.get("n_routed_experts") is not None:
            moe = {
                **_experts(config, "n_routed_experts"),
                "moe_intermediate_size": _int(config, "moe_intermediate_size"),
                "num_shared_experts": _int(config, "n_shared_experts", required=False),
                "first_dense_layers": _count(config, "first_k_dense_replace") or None,
            }
        # Read in this order (it decides which missing field is reported first).
        q_lora_rank = _int(config, "q_lora_rank", required=False)
        kv_lora_rank = _int(config, "kv_lora_rank")
        qk_rope_head_dim = _int(config, "qk_rope_head_dim")
        qk_nope_head_dim = _int(config, "qk_nope_head_dim")
        v_head_dim = _int(config, "v_head_dim")
        mla = {
            "q_lora_rank": q_lora_rank,
            "kv_lora_rank": kv_lora_rank,
            "qk_rope_head_dim": qk_rope_head_dim,
            "qk_nope_head_dim": qk_nope_head_dim,
            "v_head_dim": v_head_dim,
        }
        head_dim = qk_nope_head_dim + qk_rope_head_dim
    dense_layers: tuple[int, ...] = ()
    if model_type in {"qwen2_moe", "qwen3_moe", "qwen3_next", "qwen3_vl_moe", "qwen3_5_moe"}:
        # A layer is sparse when (index + 1) is a multiple of decoder_sparse_step and it is
        # not one of mlp_only_layers (transformers' Qwen2MoeDecoderLayer and its successors).
        step = _int(config, "decoder_sparse_step", required=False) or 1
        only_mlp = _layer_indices(config, "mlp_only_layers", num_layers)
        dense_layers = tuple(
            index for index in range(num_layers) if index in only_mlp or (index + 1) % step
        )
    elif model_type == "llama4":
        moe_layers = _llama4_moe_layers(config, num_layers)
        dense_layers = tuple(index for index in range(num_layers) if index not in moe_layers)
    mtp_layers = 0
    if model_type in {"deepseek_v3", "kimi_k2", "glm4_moe", *_DSA_TYPES}:
        mtp_layers = _count(config, "num_nextn_predict_layers")
    if model_type in {"qwen3_5", "qwen3_5_moe"}:
        # The checkpoint's mtp.* block: one attention layer with the model's FFN, a 2h → h
        # projection and three norms, sharing the model's embedding and head
        # (mtp_use_dedicated_embeddings false; transformers skips it on load).
        mtp_layers = _count(config, "mtp_num_hidden_layers")
        if _bool(config, "mtp_use_dedicated_embeddings", False):
            raise ConfigError(
                "'mtp_use_dedicated_embeddings' true is not counted yet.",
                field="mtp_use_dedicated_embeddings",
            )
    # MiniMax-M2's num_mtp_modules describes modules its published checkpoint does not hold
    # (no mtp.* tensor; MiniMax-M2 issue #47): nothing to count.
    if model_type == "minimax_m2":
        _minimax_attention(config, num_layers)
    if model_type == "seed_oss":
        for key in ("attention_out_bias", "mlp_bias"):
            if _bool(config, key, False):
                raise ConfigError(f"'{key}' true is not counted yet.", field=key)
    indexer = _indexer(config) if model_type in _DSA_TYPES else None
    if mla_attention and config.get("moe_layer_freq") not in (None, 1):
        raise ConfigError(MOE_LAYER_FREQ, field="moe_layer_freq")
    return Architecture(
        model_type=model_type,
        architecture_class=arch_class,
        num_layers=num_layers,
        hidden_size=hidden,
        num_attention_heads=heads,
        num_kv_heads=kv_heads,
        head_dim=head_dim,
        intermediate_size=intermediate,
        vocab_size=_int(config, "vocab_size"),
        tie_word_embeddings=_bool(config, "tie_word_embeddings", defaults["tie"]),
        qkv_bias=qkv_bias,
        max_position_embeddings=max_positions,
        sliding_window=sliding_window,
        rope_theta=theta,
        rope_scaling_type=scaling,
        sliding_window_layers=sliding_layers,
        num_mtp_layers=mtp_layers,
        vision=_vision(config, model_type),
        layer_types=schedule,
        dense_layers=dense_layers,
        linear_attention=linear,
        # Qwen3.5 names it mamba_ssm_dtype; vLLM's Qwen3.5 config hook copies that into
        # mamba_ssm_cache_dtype (vllm/model_executor/models/config.py).
        state_dtype=_text(config, "mamba_ssm_cache_dtype") or _text(config, "mamba_ssm_dtype"),
        quantization=_quantization(config),
        indexer=indexer,
        qk_norm=_qk_norm(config, model_type),
        attention_chunk=attention_chunk,
        mamba=None,
        **moe,
        **mla,
    )


QUANTIZATION_BLOCK = (
    "'quantization_config.weight_block_size' must be two positive integers; got {value}."
)


_DSA_TYPES = ("deepseek_v32", "glm_moe_dsa")
_GATED_DELTANET_TYPES = ("qwen3_next", "qwen3_5", "qwen3_5_moe")
MOE_LAYER_FREQ = (
    "'moe_layer_freq' other than 1 (MoE on every layer after first_k_dense_replace) is not "
    "counted yet."
)


def _indexer(config: Mapping[str, Any]) -> SparseIndexer:
    return SparseIndexer(
        heads=_int(config, "index_n_heads"),
        head_dim=_int(config, "index_head_dim"),
        top_k=_int(config, "index_topk"),
    )


def _quantization(config: Mapping[str, Any]) -> Quantization | None:
    """The checkpoint's storage format; ``None`` when the config has no quantization_config."""
    settings = _mapping(config, "quantization_config")
    if settings is None:
        return None
    method = _text(settings, "quant_method", field="quantization_config.quant_method")
    if method == "mxfp4":
        return Quantization("mxfp4")
    if method == "fp8" and settings.get("weight_block_size") is not None:
        block = settings["weight_block_size"]
        if not (
            isinstance(block, list)
            and len(block) == 2
            and all(
                isinstance(v, int) and not isinstance(v, bool) and 0 < v <= MAX_WIDTH for v in block
            )
        ):
            raise ConfigError(
                QUANTIZATION_BLOCK.format(value=_shown(block)),
                field="quantization_config.weight_block_size",
            )
        return Quantization("fp8", block=(block[0], block[1]))
    if method == "modelopt" and _text(settings, "quant_algo").upper() == "NVFP4":
        group = _int(settings, "group_size", required=False) or 16
        ignore = settings.get("exclude_modules") or settings.get("ignore") or []
        return Quantization("nvfp4", group=group, ignore=_module_patterns(ignore))
    if method == "compressed-tensors":
        four_bit = _compressed_four_bit(settings)
        if four_bit is not None:
            return four_bit
    return Quantization(method or "unknown", understood=False)


QUANTIZATION_IGNORE = "'quantization_config.ignore' must be a list of module names; got {value}."


def _module_patterns(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
        raise ConfigError(
            QUANTIZATION_IGNORE.format(value=_shown(value)), field="quantization_config.ignore"
        )
    return tuple(value)


def _compressed_four_bit(settings: Mapping[str, Any]) -> Quantization | None:
    """One config group of 4-bit weights over every Linear: int4 pack-quantized with a
    group scale (compressed-tensors' PackedQuantizationCompressor) or FP4 with a group of 16
    (NVFP4); anything else is not read."""
    groups = settings.get("config_groups")
    if not isinstance(groups, Mapping) or len(groups) != 1:
        return None
    (group,) = groups.values()
    weights = group.get("weights") if isinstance(group, Mapping) else None
    if not isinstance(weights, Mapping) or group.get("targets") != ["Linear"]:
        return None
    size = weights.get("group_size")
    if weights.get("num_bits") != 4 or not isinstance(size, int) or isinstance(size, bool):
        return None
    if not 0 < size <= MAX_WIDTH:
        return None
    ignore = _module_patterns(settings.get("ignore") or [])
    if (
        weights.get("type") == "int"
        and weights.get("strategy") == "group"
        and weights.get("symmetric") is True
        and settings.get("format") == "pack-quantized"
    ):
        return Quantization("int4", group=size, ignore=ignore)
    if weights.get("type") == "float" and size == 16:
        return Quantization("nvfp4", group=size, ignore=ignore)
    return None


def _linear_attention(config: Mapping[str, Any]) -> LinearAttention:
    """Gated DeltaNet numbers; every value head shares a key head, so key heads divide them."""
    key_heads = _int(config, "linear_num_key_heads")
    value_heads = _int(config, "linear_num_value_heads")
    if value_heads % key_heads:
        raise ConfigError(
            KV_HEADS_NOT_DIVISOR.format(
                field="linear_num_key_heads", kv_heads=key_heads, heads=value_heads
            ).replace("'num_attention_heads'", "'linear_num_value_heads'"),
            field="linear_num_key_heads",
        )
    return LinearAttention(
        num_key_heads=key_heads,
        num_value_heads=value_heads,
        key_head_dim=_int(config, "linear_key_head_dim"),
        value_head_dim=_int(config, "linear_value_head_dim"),
        conv_kernel=_int(config, "linear_conv_kernel_dim"),
    )


def _vision(config: Mapping[str, Any], model_type: str) -> VisionTower | None:
    vision = _mapping(config, "vision_config")
    if vision is None:
        return None
    text_hidden = _int(config, "hidden_size")
    try:
        if model_type in {"qwen3_vl", "qwen3_vl_moe", "qwen3_5", "qwen3_5_moe"}:
            return _qwen3_vl_vision(vision, text_hidden)
        if model_type == "gemma3":
            return _siglip_vision(vision, text_hidden)
        if model_type == "llama4":
            return _llama4_vision(vision, text_hidden)
        if model_type == "mistral3":
            return _pixtral_vision(config, vision, text_hidden)
        if "depth" not in vision:
            return None
        return VisionTower(
            depth=_int(vision, "depth"),
            hidden_size=_int(vision, "hidden_size", required=False) or _int(vision, "embed_dim"),
            intermediate_size=_int(vision, "intermediate_size", required=False)
            or _int(vision, "embed_dim")
            * int(_number(vision, "mlp_ratio", maximum=MAX_MLP_RATIO) or 4),
            out_hidden_size=_int(vision, "out_hidden_size", required=False) or text_hidden,
            patch_size=_int(vision, "patch_size", required=False) or 14,
            temporal_patch_size=_int(vision, "temporal_patch_size", required=False) or 2,
            in_channels=_int(vision, "in_chans", required=False)
            or _int(vision, "in_channels", required=False)
            or 3,
            spatial_merge_size=_int(vision, "spatial_merge_size", required=False) or 2,
        )
    except ConfigError as exc:
        raise ConfigError(str(exc), field=f"vision_config.{exc.field}") from None


def _qwen3_vl_vision(vision: Mapping[str, Any], text_hidden: int) -> VisionTower:
    indexes = vision.get("deepstack_visual_indexes") or []
    if not isinstance(indexes, list):
        raise ConfigError(
            LAYER_INDICES.format(
                field="deepstack_visual_indexes", value=_shown(indexes), layers="depth"
            ),
            field="deepstack_visual_indexes",
        )
    return VisionTower(
        kind="qwen3_vl",
        depth=_int(vision, "depth"),
        hidden_size=_int(vision, "hidden_size"),
        intermediate_size=_int(vision, "intermediate_size"),
        out_hidden_size=_int(vision, "out_hidden_size", required=False) or text_hidden,
        patch_size=_int(vision, "patch_size"),
        temporal_patch_size=_int(vision, "temporal_patch_size", required=False) or 2,
        in_channels=_int(vision, "in_channels", required=False) or 3,
        spatial_merge_size=_int(vision, "spatial_merge_size", required=False) or 2,
        num_position_embeddings=_int(vision, "num_position_embeddings"),
        deepstack_layers=len(indexes),
    )


VISION_HEAD = "'vision_use_head' true (SigLIP's pooling head) is not counted yet."
PROJECTOR_BIAS = "'multi_modal_projector_bias' true is not counted yet."


def _siglip_vision(vision: Mapping[str, Any], text_hidden: int) -> VisionTower:
    """Gemma 3's SigLIP encoder (transformers SiglipVisionConfig's defaults where absent)."""
    if _bool(vision, "vision_use_head", True):
        raise ConfigError(VISION_HEAD, field="vision_use_head")
    return _image_vit(vision, text_hidden, kind="siglip")


def _image_vit(vision: Mapping[str, Any], text_hidden: int, **extra: Any) -> VisionTower:
    """A ViT over still images (SigLIP, Llama 4's): no temporal patches, no merge."""
    return VisionTower(
        depth=_int(vision, "num_hidden_layers"),
        hidden_size=_int(vision, "hidden_size"),
        intermediate_size=_int(vision, "intermediate_size"),
        out_hidden_size=text_hidden,
        patch_size=_int(vision, "patch_size"),
        temporal_patch_size=1,
        in_channels=_int(vision, "num_channels", required=False) or 3,
        spatial_merge_size=1,
        image_size=_int(vision, "image_size"),
        **extra,
    )


def _llama4_vision(vision: Mapping[str, Any], text_hidden: int) -> VisionTower:
    if _bool(vision, "multi_modal_projector_bias", False):
        raise ConfigError(PROJECTOR_BIAS, field="multi_modal_projector_bias")
    return _image_vit(
        vision,
        text_hidden,
        kind="llama4",
        projector_input_dim=_int(vision, "projector_input_dim"),
        projector_output_dim=_int(vision, "projector_output_dim"),
        output_dim=_int(vision, "vision_output_dim"),
    )


def _pixtral_vision(
    config: Mapping[str, Any], vision: Mapping[str, Any], text_hidden: int
) -> VisionTower:
    """Mistral 3's Pixtral encoder; the projector's numbers are Mistral3Config's (top level)."""
    layers = config.get("vision_feature_layer", -1)
    feature_layers = len(layers) if isinstance(layers, list) else 1
    return VisionTower(
        kind="pixtral",
        depth=_int(vision, "num_hidden_layers"),
        hidden_size=_int(vision, "hidden_size"),
        intermediate_size=_int(vision, "intermediate_size"),
        out_hidden_size=text_hidden,
        patch_size=_int(vision, "patch_size"),
        temporal_patch_size=1,
        in_channels=_int(vision, "num_channels", required=False) or 3,
        spatial_merge_size=_int(config, "spatial_merge_size", required=False) or 2,
        image_size=_int(vision, "image_size", required=False) or 0,
        projector_bias=_bool(config, "multimodal_projector_bias", False),
        feature_layers=feature_layers,
    )


NO_ROPE_LAYERS = "'no_rope_layers' must list 0 or 1 for each of the {layers} layers; got {value}."


def _llama4_layer_types(config: Mapping[str, Any], num_layers: int) -> list[str]:
    """Llama 4's layers: those with RoPE attend within their chunk, the others (NoPE, every
    fourth by default) over the whole context. transformers Llama4TextConfig: no_rope_layers
    holds 1 for a RoPE layer (an empty list takes the default, [int((i + 1) % 4 != 0)]), and a
    RoPE layer is chunked_attention where attention_chunk_size is set."""
    if config.get("layer_types") is not None:
        return _layer_types(config, num_layers, "llama4")
    flags = config.get("no_rope_layers")
    if not flags:
        interval = _int(config, "no_rope_layer_interval", required=False) or 4
        flags = [int((index + 1) % interval != 0) for index in range(num_layers)]
    if (
        not isinstance(flags, list)
        or len(flags) != num_layers
        or any(flag not in (0, 1) or isinstance(flag, bool) for flag in flags)
    ):
        raise ConfigError(
            NO_ROPE_LAYERS.format(layers=num_layers, value=_shown(flags)), field="no_rope_layers"
        )
    chunked = config.get("attention_chunk_size") is not None
    return ["chunked_attention" if flag and chunked else "full_attention" for flag in flags]


def _llama4_moe_layers(config: Mapping[str, Any], num_layers: int) -> tuple[int, ...]:
    """MoE layers: moe_layers, else every interleave_moe_layer_step-th from step - 1."""
    if config.get("moe_layers") is not None:
        return _layer_indices(config, "moe_layers", num_layers)
    step = _int(config, "interleave_moe_layer_step", required=False) or 1
    return tuple(range(step - 1, num_layers, step))


QK_NORM_TYPE = "'qk_norm_type' must be 'per_layer' or 'per_head'; got {value}."


def _qk_norm(config: Mapping[str, Any], model_type: str) -> str:
    """Which q/k norms the config asks for, where the family reads a key for it."""
    if model_type == "glm4_moe":
        return "head" if _bool(config, "use_qk_norm", False) else "none"
    if model_type == "minimax_m2":
        if not _bool(config, "use_qk_norm", True):
            return "none"
        kind = _text(config, "qk_norm_type") or "per_layer"
        if kind not in ("per_layer", "per_head"):
            raise ConfigError(QK_NORM_TYPE.format(value=_shown(kind)), field="qk_norm_type")
        return "layer" if kind == "per_layer" else "head"
    if model_type == "llama4":
        return "none"  # an L2 norm without weights (use_qk_norm)
    return ""


MINIMAX_LIGHTNING = (
    "'attn_type_list' has lightning-attention layers (0), which the estimator does not count "
    "yet (MiniMax-M1 and Text-01); MiniMax-M2 has none."
)
MINIMAX_SHARED_EXPERT = "'shared_intermediate_size' other than 0 is not counted yet."
ATTN_TYPE_LIST = "'attn_type_list' must list 0 or 1 for each of the {layers} layers; got {value}."


def _minimax_attention(config: Mapping[str, Any], num_layers: int) -> None:
    kinds = config.get("attn_type_list")
    if kinds is None:
        return
    if (
        not isinstance(kinds, list)
        or len(kinds) != num_layers
        or any(kind not in (0, 1) or isinstance(kind, bool) for kind in kinds)
    ):
        raise ConfigError(
            ATTN_TYPE_LIST.format(layers=num_layers, value=_shown(kinds)), field="attn_type_list"
        )
    if 0 in kinds:
        raise ConfigError(MINIMAX_LIGHTNING, field="attn_type_list")


# Nemotron-H's hybrid_override_pattern: one letter per layer (transformers NemotronHConfig).
NEMOTRON_BLOCKS = {"M": "mamba", "*": "full_attention", "-": "mlp", "E": "moe"}
PATTERN_LETTER = "'hybrid_override_pattern' has {value}, which is not a block; known: M, *, -, E."
PATTERN_LENGTH = "'hybrid_override_pattern' has {count} blocks; 'num_hidden_layers' is {layers}."
LATENT_MOE = "'moe_latent_size' (latent MoE, Nemotron 3 Super) is not counted yet."


def _parse_nemotron_h(config: Mapping[str, Any], arch_class: str) -> Architecture:
    """Nemotron-H: a stack of single-mixer blocks (Mamba-2, attention, MLP or MoE)."""
    pattern = _text(config, "hybrid_override_pattern")
    if not pattern:
        raise ConfigError(
            MISSING_FIELD.format(field="hybrid_override_pattern"), field="hybrid_override_pattern"
        )
    num_layers = _int(config, "num_hidden_layers", required=False) or len(pattern)
    if len(pattern) != num_layers:
        raise ConfigError(
            PATTERN_LENGTH.format(count=len(pattern), layers=num_layers),
            field="hybrid_override_pattern",
        )
    unknown = sorted(set(pattern) - set(NEMOTRON_BLOCKS))
    if unknown:
        raise ConfigError(
            PATTERN_LETTER.format(value=_shown(unknown[0])), field="hybrid_override_pattern"
        )
    _within_limit("num_hidden_layers", num_layers)
    schedule = tuple(NEMOTRON_BLOCKS[letter] for letter in pattern)
    hidden = _int(config, "hidden_size")
    heads = _int(config, "num_attention_heads")
    head_dim = _int(config, "head_dim", required=False) or _head_dim(
        config, "attention_head_dim", hidden=hidden, heads=heads
    )
    experts: dict[str, int] = {}
    expert_width = shared = None
    if "moe" in schedule:
        if config.get("moe_latent_size") is not None:
            raise ConfigError(LATENT_MOE, field="moe_latent_size")
        experts = _experts(config, "n_routed_experts")
        expert_width = _int(config, "moe_intermediate_size")
        shared = _count(config, "moe_shared_expert_intermediate_size") * (
            _count(config, "n_shared_experts") if "n_shared_experts" in config else 1
        )
    mamba = None
    if "mamba" in schedule:
        mamba = Mamba(
            num_heads=_int(config, "mamba_num_heads"),
            head_dim=_int(config, "mamba_head_dim"),
            groups=_int(config, "n_groups"),
            state_size=_int(config, "ssm_state_size"),
            conv_kernel=_int(config, "conv_kernel"),
            conv_bias=_bool(config, "use_conv_bias", True),
            bias=_bool(config, "use_bias", False),
        )
    if _bool(config, "mlp_bias", False):
        raise ConfigError("'mlp_bias' true is not counted yet.", field="mlp_bias")
    theta, scaling = _rope(config)
    return Architecture(
        model_type="nemotron_h",
        architecture_class=arch_class,
        num_layers=num_layers,
        hidden_size=hidden,
        num_attention_heads=heads,
        num_kv_heads=_kv_heads(config, "num_key_value_heads", heads=heads, required=False),
        head_dim=head_dim,
        intermediate_size=_int(config, "intermediate_size"),
        vocab_size=_int(config, "vocab_size"),
        tie_word_embeddings=_bool(config, "tie_word_embeddings", False),
        qkv_bias=_bool(config, "attention_bias", False),
        max_position_embeddings=_int(config, "max_position_embeddings", required=False),
        rope_theta=theta,
        rope_scaling_type=scaling,
        layer_types=schedule,
        mamba=mamba,
        state_dtype=_text(config, "mamba_ssm_cache_dtype"),
        quantization=_quantization(config),
        num_experts=experts.get("num_experts"),
        num_experts_per_token=experts.get("num_experts_per_token"),
        moe_intermediate_size=expert_width,
        shared_expert_intermediate_size=shared or None,
    )


GRANITE_LAYER_KINDS = {"mamba": "mamba", "attention": "full_attention"}
GRANITE_LAYER = "'layer_types' names {value}; Granite 4.0-H builds 'mamba' and 'attention' layers."
GRANITE_MAMBA_WIDTH = (
    "'mamba_n_heads' × 'mamba_d_head' ({heads_width}) must equal 'mamba_expand' × "
    "'hidden_size' ({expand_width})."
)


def _parse_granite_hybrid(config: Mapping[str, Any], arch_class: str) -> Architecture:
    """Granite 4.0-H: Mamba-2 or attention layers, each followed by a shared MLP and experts.

    Defaults from transformers' GraniteMoeHybridConfig; the Mamba inner width is
    mamba_expand × hidden_size, which the config class requires to be mamba_n_heads ×
    mamba_d_head (GraniteMoeHybridMambaLayer)."""
    num_layers = _int(config, "num_hidden_layers")
    kinds = config.get("layer_types")
    if kinds is None:
        kinds = ["mamba"] * num_layers
    if not isinstance(kinds, list) or not all(isinstance(kind, str) for kind in kinds):
        raise ConfigError(LAYER_TYPES_NOT_LIST.format(value=_shown(kinds)), field="layer_types")
    if len(kinds) != num_layers:
        raise ConfigError(
            LAYER_TYPES_LENGTH.format(count=len(kinds), layers=num_layers), field="layer_types"
        )
    for kind in kinds:
        if kind not in GRANITE_LAYER_KINDS:
            raise ConfigError(GRANITE_LAYER.format(value=_shown(kind)), field="layer_types")
    schedule = tuple(GRANITE_LAYER_KINDS[kind] for kind in kinds)
    hidden = _int(config, "hidden_size")
    heads = _int(config, "num_attention_heads")
    mamba = None
    if "mamba" in schedule:
        mamba_heads = _int(config, "mamba_n_heads", required=False) or 128
        expand = _int(config, "mamba_expand", required=False) or 2
        head_dim = _int(config, "mamba_d_head", required=False) or expand * hidden // mamba_heads
        if mamba_heads * head_dim != expand * hidden:
            raise ConfigError(
                GRANITE_MAMBA_WIDTH.format(
                    heads_width=mamba_heads * head_dim, expand_width=expand * hidden
                ),
                field="mamba_d_head",
            )
        mamba = Mamba(
            num_heads=mamba_heads,
            head_dim=head_dim,
            groups=_int(config, "mamba_n_groups", required=False) or 1,
            state_size=_int(config, "mamba_d_state", required=False) or 256,
            conv_kernel=_int(config, "mamba_d_conv", required=False) or 4,
            conv_bias=_bool(config, "mamba_conv_bias", True),
            bias=_bool(config, "mamba_proj_bias", False),
        )
    shared = _int(config, "shared_intermediate_size", required=False) or 1024
    experts = config.get("num_local_experts", 8)
    moe: dict[str, int] = {}
    if experts:
        moe = _experts(config, "num_local_experts")
    theta, scaling = _rope(config)
    if _bool(config, "attention_bias", False):
        raise ConfigError("'attention_bias' true is not counted yet.", field="attention_bias")
    return Architecture(
        model_type="granitemoehybrid",
        architecture_class=arch_class,
        num_layers=num_layers,
        hidden_size=hidden,
        num_attention_heads=heads,
        num_kv_heads=_kv_heads(config, "num_key_value_heads", heads=heads, required=False),
        head_dim=_head_dim(config, "head_dim", hidden=hidden, heads=heads),
        # Without experts the shared MLP is the layer's dense FFN.
        intermediate_size=_int(config, "intermediate_size") if moe else shared,
        vocab_size=_int(config, "vocab_size"),
        tie_word_embeddings=_bool(config, "tie_word_embeddings", False),
        qkv_bias=False,
        max_position_embeddings=_int(config, "max_position_embeddings", required=False),
        rope_theta=theta,
        rope_scaling_type=scaling,
        layer_types=schedule,
        mamba=mamba,
        state_dtype=_text(config, "mamba_ssm_cache_dtype"),
        quantization=_quantization(config),
        num_experts=moe.get("num_experts"),
        num_experts_per_token=moe.get("num_experts_per_token"),
        moe_intermediate_size=_int(config, "intermediate_size") if moe else None,
        shared_expert_intermediate_size=shared if moe else None,
        num_shared_experts=1 if moe else None,
    )


def _parse_chatglm(config: Mapping[str, Any], arch_class: str) -> Architecture:
    heads = _int(config, "num_attention_heads")
    hidden = _int(config, "hidden_size")
    theta, scaling = _rope(config)
    if "inner_hidden_size" in config:
        # ChatGLM-6B (first generation): GLM block with GeLU FFN, biases everywhere; its
        # output layer shares the input embedding (transformers' default tie).
        return Architecture(
            model_type="chatglm1",
            architecture_class=arch_class,
            num_layers=_int(config, "num_layers"),
            hidden_size=hidden,
            num_attention_heads=heads,
            num_kv_heads=heads,
            head_dim=_head_dim(config, None, hidden=hidden, heads=heads),
            intermediate_size=_int(config, "inner_hidden_size"),
            vocab_size=_int(config, "vocab_size"),
            tie_word_embeddings=_bool(config, "tie_word_embeddings", True),
            qkv_bias=True,
            max_position_embeddings=_int(config, "max_sequence_length", required=False),
        )
    multi_query = _bool(config, "multi_query_attention", False)
    kv_heads = (
        _kv_heads(config, "multi_query_group_num", heads=heads, required=True)
        if multi_query
        else heads
    )
    return Architecture(
        model_type="chatglm",
        architecture_class=arch_class,
        num_layers=_int(config, "num_layers"),
        hidden_size=hidden,
        num_attention_heads=heads,
        num_kv_heads=kv_heads,
        head_dim=_head_dim(config, "kv_channels", hidden=hidden, heads=heads),
        intermediate_size=_int(config, "ffn_hidden_size"),
        vocab_size=_int(config, "padded_vocab_size"),
        tie_word_embeddings=_bool(config, "tie_word_embeddings", False),
        qkv_bias=_bool(config, "add_qkv_bias", False),
        max_position_embeddings=_int(config, "seq_length", required=False),
        rope_theta=theta,
        rope_scaling_type=scaling,
    )


def _parse_qwen_v1(config: Mapping[str, Any], arch_class: str) -> Architecture:
    heads = _int(config, "num_attention_heads")
    hidden = _int(config, "hidden_size")
    # QWenLMHeadModel's intermediate_size is the sum of both SwiGLU branches (w1 and w2).
    ffn_total = _int(config, "intermediate_size")
    if ffn_total % 2:
        raise ConfigError(ODD_QWEN_INTERMEDIATE.format(value=ffn_total), field="intermediate_size")
    return Architecture(
        model_type="qwen",
        architecture_class=arch_class,
        num_layers=_int(config, "num_hidden_layers"),
        hidden_size=hidden,
        num_attention_heads=heads,
        num_kv_heads=heads,
        head_dim=_head_dim(config, "kv_channels", hidden=hidden, heads=heads),
        intermediate_size=ffn_total // 2,
        vocab_size=_int(config, "vocab_size"),
        tie_word_embeddings=_bool(config, "tie_word_embeddings", False),
        qkv_bias=True,
        max_position_embeddings=_int(config, "max_position_embeddings", required=False)
        or _int(config, "seq_length", required=False),
        rope_theta=_number(config, "rotary_emb_base"),
    )


# q/k/v bias where curated numbers leave it unset (the family's config default).
_QKV_BIAS_DEFAULT = {"chatglm": True, "chatglm1": True, "glm130b": True, "qwen": True}
_REQUIRED_NUMBERS = (
    "num_layers",
    "hidden_size",
    "num_attention_heads",
    "intermediate_size",
    "vocab_size",
)


def architecture_from_numbers(numbers: Mapping[str, Any]) -> Architecture:
    """Build an :class:`Architecture` from curated numbers (a variant without config.json).

    ``numbers`` uses the field names of :class:`Architecture`; ``model_type`` picks the
    family's structure. Raises :class:`ConfigError` naming a missing or invalid number.
    """
    model_type = numbers.get("model_type") or "llama"
    if model_type not in STRUCTURES:
        raise ConfigError(
            f"Unsupported architecture '{model_type}'. Supported: {', '.join(sorted(STRUCTURES))}.",
            field="model_type",
        )
    for key in _REQUIRED_NUMBERS:
        _int(numbers, key)
    heads = numbers["num_attention_heads"]
    known = {f.name for f in fields(Architecture)}
    values = {k: v for k, v in numbers.items() if k in known and v is not None}
    values.setdefault("num_kv_heads", heads)
    values.setdefault("head_dim", numbers["hidden_size"] // heads)
    values.setdefault("tie_word_embeddings", False)
    values.setdefault("qkv_bias", _QKV_BIAS_DEFAULT.get(model_type, False))
    values.setdefault("architecture_class", "")
    values["model_type"] = model_type
    if values.get("sliding_window") and not values.get("sliding_window_layers"):
        values["sliding_window_layers"] = numbers["num_layers"]
    if values.get("num_experts") and not values.get("moe_intermediate_size"):
        values["moe_intermediate_size"] = numbers["intermediate_size"]
    return Architecture(**values)
