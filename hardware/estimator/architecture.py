"""Parse a Hugging Face config.json into a normalised architecture.

Each family names the same numbers differently (ChatGLM's ``multi_query_group_num``,
DeepSeek's ``n_routed_experts``, Mixtral's ``num_local_experts``). This module is the one
place that knows those names. Defaults follow the family's ``transformers`` configuration
class (or its ``trust_remote_code`` modelling file) where a key is absent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any


class ConfigError(ValueError):
    """A config.json cannot be understood; ``field`` names the key at fault."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


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

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


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
    router_bias: bool = False  # DeepSeek-V3's e_score_correction_bias
    shared_expert_gate: bool = False  # Qwen2-MoE's sigmoid gate on the shared expert


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
}


@dataclass(frozen=True)
class VisionTower:
    """The Qwen2-VL/Qwen2.5-VL vision encoder's numbers (``vision_config``)."""

    depth: int
    hidden_size: int
    intermediate_size: int
    out_hidden_size: int
    patch_size: int
    temporal_patch_size: int
    in_channels: int
    spatial_merge_size: int


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
    "baichuan": {"tie": False, "qkv_bias": False},
    "gemma2": {"tie": True, "qkv_bias": False},
    "phi3": {"tie": False, "qkv_bias": False},
    "bailing_moe": {"tie": False, "qkv_bias": False},
    "yi": {"tie": False, "qkv_bias": False},
}
SUPPORTED_MODEL_TYPES: tuple[str, ...] = tuple(sorted([*_LLAMA_LIKE, "chatglm", "qwen"]))
# Types that only come from curated numbers (no config.json is published).
NUMBERS_ONLY_MODEL_TYPES = ("chatglm1", "glm130b", "grok1")

_FAMILY_NAMES = (
    "Llama 1/2/3/3.1 (Yi, Vicuna), Mistral, Mixtral, Qwen, Qwen2/2.5, Qwen2-MoE, Qwen2.5-VL, "
    "Qwen3, Qwen3-MoE, DeepSeek-V2/V3, ChatGLM/ChatGLM2/3, GLM-4, Baichuan/Baichuan2, "
    "Gemma 2, Phi-3, Ling (bailing_moe)"
)


def _int(config: Mapping[str, Any], key: str, *, required: bool = True) -> int | None:
    value = config.get(key)
    if value is None:
        if required:
            raise ConfigError(f"config.json has no '{key}'.", field=key)
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ConfigError(f"'{key}' must be a positive integer; got {value!r}.", field=key)
    return value


def _bool(config: Mapping[str, Any], key: str, default: bool) -> bool:
    value = config.get(key, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise ConfigError(f"'{key}' must be true or false; got {value!r}.", field=key)
    return value


def _rope(config: Mapping[str, Any]) -> tuple[float | None, str]:
    theta = config.get("rope_theta")
    if theta is not None and (isinstance(theta, bool) or not isinstance(theta, int | float)):
        raise ConfigError(f"'rope_theta' must be a number; got {theta!r}.", field="rope_theta")
    scaling = config.get("rope_scaling") or {}
    if not isinstance(scaling, Mapping):
        raise ConfigError("'rope_scaling' must be an object.", field="rope_scaling")
    kind = str(scaling.get("rope_type") or scaling.get("type") or "")
    return (float(theta) if theta is not None else None), kind


def _text_part(config: Mapping[str, Any]) -> Mapping[str, Any]:
    """Multimodal configs keep the language model's numbers in ``text_config`` (newer) or at
    the top level (older Qwen2-VL); the vision tower is not part of the text architecture."""
    text = config.get("text_config")
    if isinstance(text, Mapping) and "hidden_size" in text:
        return {**config, **text}
    return config


def parse_config(config: Mapping[str, Any]) -> Architecture:
    """Return the normalised architecture of a Hugging Face ``config.json``.

    Raises :class:`ConfigError` naming the unsupported ``model_type`` (with the supported
    ones) or the missing or invalid field.
    """
    if not isinstance(config, Mapping):
        raise ConfigError("config.json must be a JSON object.")
    model_type = config.get("model_type")
    if not model_type:
        raise ConfigError("config.json has no 'model_type'.", field="model_type")
    architectures = config.get("architectures") or [""]
    architecture_class = str(architectures[0]) if isinstance(architectures, list) else ""
    if model_type == "chatglm":
        return _parse_chatglm(config, architecture_class)
    if model_type == "qwen":
        return _parse_qwen_v1(config, architecture_class)
    if model_type not in _LLAMA_LIKE:
        raise ConfigError(
            f"Unsupported architecture '{model_type}'. Supported: {_FAMILY_NAMES} "
            f"(model_type one of {', '.join(SUPPORTED_MODEL_TYPES)}).",
            field="model_type",
        )
    return _parse_llama_like(_text_part(config), str(model_type), architecture_class)


def _parse_llama_like(config: Mapping[str, Any], model_type: str, arch_class: str) -> Architecture:
    defaults = _LLAMA_LIKE[model_type]
    hidden = _int(config, "hidden_size")
    heads = _int(config, "num_attention_heads")
    kv_heads = _int(config, "num_key_value_heads", required=False) or heads
    head_dim = _int(config, "head_dim", required=False) or hidden // heads
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
    if model_type in {"qwen2", "qwen2_moe", "qwen3", "qwen3_moe", "qwen2_5_vl", "qwen2_vl"}:
        # Qwen configs carry a sliding_window value that applies only when enabled, and then
        # only to the layers from max_window_layers on.
        if _bool(config, "use_sliding_window", False):
            sliding_window = _int(config, "sliding_window", required=False)
            first = config.get("max_window_layers", num_layers)
            sliding_layers = max(0, num_layers - first) if sliding_window else 0
    elif config.get("sliding_window") is not None:
        sliding_window = _int(config, "sliding_window")
        # Gemma 2 alternates local (sliding) and global layers, starting with a local one.
        sliding_layers = (num_layers + 1) // 2 if model_type == "gemma2" else num_layers

    moe: dict[str, int | None] = {}
    mla: dict[str, int | None] = {}
    intermediate = _int(config, "intermediate_size")
    if model_type == "mixtral":
        moe = {
            "num_experts": _int(config, "num_local_experts"),
            "num_experts_per_token": _int(config, "num_experts_per_tok"),
            "moe_intermediate_size": intermediate,
        }
    elif model_type in {"qwen2_moe", "qwen3_moe", "bailing_moe"}:
        moe = {
            "num_experts": _int(config, "num_experts"),
            "num_experts_per_token": _int(config, "num_experts_per_tok"),
            "moe_intermediate_size": _int(config, "moe_intermediate_size"),
        }
        if model_type == "qwen2_moe":
            moe["shared_expert_intermediate_size"] = _int(config, "shared_expert_intermediate_size")
            moe["num_shared_experts"] = 1
        if model_type == "bailing_moe":
            moe["num_shared_experts"] = _int(config, "num_shared_experts", required=False)
            moe["first_dense_layers"] = _int(config, "first_k_dense_replace", required=False)
    elif model_type in {"deepseek_v2", "deepseek_v3"}:
        if config.get("n_routed_experts") is not None:
            moe = {
                "num_experts": _int(config, "n_routed_experts"),
                "num_experts_per_token": _int(config, "num_experts_per_tok"),
                "moe_intermediate_size": _int(config, "moe_intermediate_size"),
                "num_shared_experts": _int(config, "n_shared_experts", required=False),
                "first_dense_layers": config.get("first_k_dense_replace") or None,
            }
        mla = {
            "q_lora_rank": _int(config, "q_lora_rank", required=False),
            "kv_lora_rank": _int(config, "kv_lora_rank"),
            "qk_rope_head_dim": _int(config, "qk_rope_head_dim"),
            "qk_nope_head_dim": _int(config, "qk_nope_head_dim"),
            "v_head_dim": _int(config, "v_head_dim"),
        }
        head_dim = mla["qk_nope_head_dim"] + mla["qk_rope_head_dim"]
    mtp_layers = 0
    if model_type == "deepseek_v3":
        mtp_layers = config.get("num_nextn_predict_layers") or 0
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
        vision=_vision(config),
        **moe,
        **mla,
    )


def _vision(config: Mapping[str, Any]) -> VisionTower | None:
    vision = config.get("vision_config")
    if not isinstance(vision, Mapping) or "depth" not in vision:
        return None
    return VisionTower(
        depth=_int(vision, "depth"),
        hidden_size=_int(vision, "hidden_size", required=False) or _int(vision, "embed_dim"),
        intermediate_size=_int(vision, "intermediate_size", required=False)
        or _int(vision, "embed_dim") * int(vision.get("mlp_ratio", 4)),
        out_hidden_size=_int(vision, "out_hidden_size", required=False)
        or _int(config, "hidden_size"),
        patch_size=_int(vision, "patch_size", required=False) or 14,
        temporal_patch_size=_int(vision, "temporal_patch_size", required=False) or 2,
        in_channels=_int(vision, "in_chans", required=False)
        or _int(vision, "in_channels", required=False)
        or 3,
        spatial_merge_size=_int(vision, "spatial_merge_size", required=False) or 2,
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
            head_dim=hidden // heads,
            intermediate_size=_int(config, "inner_hidden_size"),
            vocab_size=_int(config, "vocab_size"),
            tie_word_embeddings=_bool(config, "tie_word_embeddings", True),
            qkv_bias=True,
            max_position_embeddings=_int(config, "max_sequence_length", required=False),
        )
    multi_query = _bool(config, "multi_query_attention", False)
    kv_heads = _int(config, "multi_query_group_num") if multi_query else heads
    return Architecture(
        model_type="chatglm",
        architecture_class=arch_class,
        num_layers=_int(config, "num_layers"),
        hidden_size=hidden,
        num_attention_heads=heads,
        num_kv_heads=kv_heads,
        head_dim=_int(config, "kv_channels", required=False) or hidden // heads,
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
        raise ConfigError(
            f"'intermediate_size' must be even for Qwen (two SwiGLU branches); got {ffn_total}.",
            field="intermediate_size",
        )
    return Architecture(
        model_type="qwen",
        architecture_class=arch_class,
        num_layers=_int(config, "num_hidden_layers"),
        hidden_size=hidden,
        num_attention_heads=heads,
        num_kv_heads=heads,
        head_dim=_int(config, "kv_channels", required=False) or hidden // heads,
        intermediate_size=ffn_total // 2,
        vocab_size=_int(config, "vocab_size"),
        tie_word_embeddings=_bool(config, "tie_word_embeddings", False),
        qkv_bias=True,
        max_position_embeddings=_int(config, "max_position_embeddings", required=False)
        or _int(config, "seq_length", required=False),
        rope_theta=float(config["rotary_emb_base"]) if config.get("rotary_emb_base") else None,
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
