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

    @property
    def is_moe(self) -> bool:
        return self.num_experts is not None

    @property
    def uses_mla(self) -> bool:
        return self.kv_lora_rank is not None

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


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
    sliding_window = None
    if model_type in {"qwen2", "qwen2_moe", "qwen3", "qwen3_moe", "qwen2_5_vl", "qwen2_vl"}:
        # Qwen configs carry a sliding_window value that applies only when enabled.
        if _bool(config, "use_sliding_window", False):
            sliding_window = _int(config, "sliding_window", required=False)
    elif config.get("sliding_window") is not None:
        sliding_window = _int(config, "sliding_window")

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
    return Architecture(
        model_type=model_type,
        architecture_class=arch_class,
        num_layers=_int(config, "num_hidden_layers"),
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
        **moe,
        **mla,
    )


def _parse_chatglm(config: Mapping[str, Any], arch_class: str) -> Architecture:
    heads = _int(config, "num_attention_heads")
    hidden = _int(config, "hidden_size")
    theta, scaling = _rope(config)
    if "inner_hidden_size" in config:
        # ChatGLM-6B (first generation): GLM block with GeLU FFN, biases everywhere.
        return Architecture(
            model_type="chatglm",
            architecture_class=arch_class,
            num_layers=_int(config, "num_layers"),
            hidden_size=hidden,
            num_attention_heads=heads,
            num_kv_heads=heads,
            head_dim=hidden // heads,
            intermediate_size=_int(config, "inner_hidden_size"),
            vocab_size=_int(config, "vocab_size"),
            tie_word_embeddings=False,
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
