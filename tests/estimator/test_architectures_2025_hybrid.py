"""GLM-4.5, MiniMax-M2, Gemma 3, Llama 4, Qwen3-VL and Nemotron-H (issue 18): what each
builds, layer by layer, and what each keeps per sequence. Published figures and their sources
are in tests/fixtures/configs/published_counts.yaml (tests/estimator/test_parameters.py holds
the counts to them)."""

import pytest

from estimator import ConfigError, count_parameters, parse_config
from estimator.architecture import (
    LATENT_MOE,
    MINIMAX_LIGHTNING,
    PATTERN_LENGTH,
    VISION_HEAD,
)
from estimator.checkpoint import checkpoint
from estimator.estimate import EstimateOptions, estimate
from estimator.memory import (
    NATIVE,
    default_precision,
    fixed_state_bytes,
    inference_memory,
    kv_cache_bytes,
)
from tests.estimator.configs import fixture_config, fixture_names

GLM_AIR = "zai-org__GLM-4.5-Air"
GLM = "zai-org__GLM-4.5"
MINIMAX = "MiniMaxAI__MiniMax-M2.7"
GEMMA_1B = "google__gemma-3-1b-it"
GEMMA_4B = "google__gemma-3-4b-it"
SCOUT = "meta-llama__Llama-4-Scout-17B-16E-Instruct"
MAVERICK = "meta-llama__Llama-4-Maverick-17B-128E-Instruct"
QWEN3_VL_MOE = "Qwen__Qwen3-VL-30B-A3B-Instruct"
NEMOTRON_NANO_3 = "nvidia__NVIDIA-Nemotron-3-Nano-30B-A3B-BF16"
NEMOTRON_9B = "nvidia__NVIDIA-Nemotron-Nano-9B-v2"


def _parsed(name: str, **changes):
    config = fixture_config(name)
    text = config.get("text_config")
    if text is not None and changes:
        config = config | {"text_config": text | changes}
    else:
        config = config | changes
    return parse_config(config)


# -- GLM-4.5 ---------------------------------------------------------------------------------


def test_glm_4_5_q_k_norms_follow_use_qk_norm():
    air = _parsed(GLM_AIR)
    with_norms = _parsed(GLM_AIR, use_qk_norm=True)
    difference = count_parameters(with_norms).total - count_parameters(air).total
    assert difference == air.num_layers * 2 * air.head_dim  # q_norm and k_norm of head_dim


def test_glm_4_5_has_q_k_v_biases_and_no_output_bias():
    air = _parsed(GLM_AIR)
    layer = count_parameters(air).layers[0]
    # 96 query heads and 2 × 8 key/value heads of 128: biases on q, k and v only.
    assert layer.attention_small == 96 * 128 + 2 * 8 * 128


def test_glm_4_5_reports_its_mtp_layer_and_the_copies_it_stores_apart():
    arch = _parsed(GLM)
    params = count_parameters(arch)
    held = checkpoint(arch, params)
    assert held is not None
    assert held.total == params.total + params.mtp + 2 * params.embedding
    assert held.mtp == 5_539_962_272
    assert "1,551,892,480 of them its own copies of the embedding and the output head" in (
        " ".join(held.reconciliation)
    )
    answer = estimate(arch, EstimateOptions()).as_dict()
    assert answer["total_params"] == 352_797_829_024
    assert answer["extra_params"]["mtp"] == params.mtp


# -- MiniMax-M2 ------------------------------------------------------------------------------


def test_minimax_m2_normalises_queries_and_keys_over_every_head():
    arch = _parsed(MINIMAX)
    layer = count_parameters(arch).layers[0]
    assert layer.attention_small == 48 * 128 + 8 * 128  # q_norm 6,144 and k_norm 1,024 wide
    per_head = count_parameters(_parsed(MINIMAX, qk_norm_type="per_head")).layers[0]
    assert per_head.attention_small == 2 * 128


def test_minimax_m2_checkpoint_is_its_tensor_inventory():
    """The M2.7 checkpoint's inventory: 228,703,644,928 elements in 96,103 tensors."""
    arch = _parsed(MINIMAX)
    held = checkpoint(arch, count_parameters(arch))
    assert held is not None
    assert held.total == 228_703_644_928
    assert held.scales == 13_880_064
    # The routers (62 layers × 256 × 3,072) and their correction biases stay in F32.
    assert held.tensors["F32"] == 13_880_064 + 62 * 256 * 3072 + 62 * 256
    assert default_precision(arch) == NATIVE


def test_minimax_lightning_layers_are_refused_naming_the_list():
    config = fixture_config(MINIMAX)
    with pytest.raises(ConfigError) as caught:
        parse_config(config | {"attn_type_list": [0] + [1] * 61})
    assert caught.value.field == "attn_type_list"
    assert str(caught.value) == MINIMAX_LIGHTNING
    with pytest.raises(ConfigError) as caught:
        parse_config(config | {"attn_type_list": [1] * 60})
    assert caught.value.field == "attn_type_list"


# -- Gemma 3 ---------------------------------------------------------------------------------


def test_gemma_3_attends_globally_every_sixth_layer():
    arch = _parsed(GEMMA_1B)
    assert arch.sliding_window_layers == 22
    assert arch.full_attention_layers == 4
    assert [i for i, kind in enumerate(arch.layer_types) if kind == "full_attention"] == [
        5,
        11,
        17,
        23,
    ]


def test_gemma_3_sliding_layers_keep_at_most_their_window():
    arch = _parsed(GEMMA_1B)
    per_layer = 2 * 1 * 256 * 2  # one KV head of 256, BF16
    cache = kv_cache_bytes(arch, context_tokens=32_768, batch=1, kv_dtype_bytes=2)
    assert cache == (4 * 32_768 + 22 * 512) * per_layer


def test_gemma_3_multimodal_text_takes_the_class_defaults():
    arch = _parsed(GEMMA_4B)
    assert (arch.num_attention_heads, arch.num_kv_heads, arch.head_dim) == (8, 4, 256)
    assert arch.vocab_size == 262_208
    assert arch.tie_word_embeddings
    assert arch.sliding_window_layers == 29


def test_a_siglip_pooling_head_is_refused_not_counted_in_silence():
    config = fixture_config(GEMMA_4B)
    vision = config["vision_config"] | {"vision_use_head": True}
    with pytest.raises(ConfigError) as caught:
        parse_config(config | {"vision_config": vision})
    assert str(caught.value) == VISION_HEAD
    assert caught.value.field == "vision_config.vision_use_head"


# -- Llama 4 ---------------------------------------------------------------------------------


def test_llama_4_chunks_three_layers_in_four_and_caps_their_cache():
    arch = _parsed(SCOUT)
    assert arch.chunked_attention_layers == 36
    assert [i for i, kind in enumerate(arch.layer_types) if kind == "full_attention"] == list(
        range(3, 48, 4)
    )
    per_layer = 2 * 8 * 128 * 2
    cache = kv_cache_bytes(arch, context_tokens=1_000_000, batch=1, kv_dtype_bytes=2)
    assert cache == (12 * 1_000_000 + 36 * 8192) * per_layer


def test_maverick_alternates_dense_and_moe_layers():
    arch = _parsed(MAVERICK)
    layers = count_parameters(arch).layers
    assert [arch.is_moe_layer(i) for i in range(4)] == [False, True, False, True]
    # Dense layers: intermediate_size_mlp (16,384); MoE layers: 128 experts of 8,192 and a
    # shared one of 8,192, and a router without bias.
    assert layers[0].ffn == 3 * 5120 * 16_384
    assert layers[1].ffn == 3 * 5120 * 8192
    assert layers[1].routed_experts == 128 * 3 * 5120 * 8192
    assert layers[1].ffn_small == 5120 * 128


def test_llama_4_a_rope_schedule_of_the_wrong_length_is_refused():
    with pytest.raises(ConfigError) as caught:
        _parsed(SCOUT, no_rope_layers=[1, 0])
    assert caught.value.field == "no_rope_layers"


# -- Qwen3-VL --------------------------------------------------------------------------------


def test_qwen3_vl_moe_text_is_qwen3_30b_a3b_and_the_tower_is_apart():
    arch = _parsed(QWEN3_VL_MOE)
    params = count_parameters(arch)
    text_only = count_parameters(parse_config(fixture_config("Qwen__Qwen3-30B-A3B")))
    assert params.total == text_only.total
    assert params.vision == 538_631_408
    answer = estimate(arch, EstimateOptions()).as_dict()
    assert answer["extra_params"]["vision"] == params.vision


# -- Nemotron-H ------------------------------------------------------------------------------


def test_nemotron_h_blocks_follow_the_pattern():
    arch = _parsed(NEMOTRON_NANO_3)
    assert (arch.mamba_layers, arch.kv_layers) == (23, 6)
    assert arch.layer_types.count("moe") == 23
    layers = count_parameters(arch).layers
    mamba, moe, attention = layers[0], layers[1], layers[5]
    assert (mamba.ffn, mamba.routed_experts) == (0, 0)
    assert moe.attention == 0
    # in_proj to 2 × 4,096 + 2 × 8 × 128 + 64, out_proj back: the inner width is heads × dims.
    assert mamba.attention == 2688 * (2 * 4096 + 2 * 8 * 128 + 64) + 4096 * 2688
    assert attention.attention == 2688 * 32 * 128 * 2 + 2 * 2688 * 2 * 128
    # Squared-ReLU experts: up and down only; the router has a correction bias.
    assert moe.routed_experts == 128 * 2 * 2688 * 1856
    assert moe.ffn_small == 2688 * 128 + 128


def test_nemotron_h_keeps_a_fixed_mamba_state_in_the_dtype_its_config_asks():
    arch = _parsed(NEMOTRON_NANO_3)
    conv = (4096 + 2 * 8 * 128) * 3 * 2  # the conv's last 3 inputs, in BF16
    ssm = 64 * 64 * 128 * 4  # heads × head_dim × state, float32 (mamba_ssm_cache_dtype)
    assert fixed_state_bytes(arch) == 23 * (conv + ssm)
    short = inference_memory(arch, count_parameters(arch), context_tokens=1024)
    long = inference_memory(arch, count_parameters(arch), context_tokens=262_144)
    assert short.fixed_state_bytes == long.fixed_state_bytes == 23 * (conv + ssm)
    # Only the six attention blocks cache keys and values: 2 KV heads of 128 each, BF16.
    assert long.kv_cache_bytes_per_token == 6 * 2 * 2 * 128 * 2


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"hybrid_override_pattern": "M*-X"}, "hybrid_override_pattern", None),
        (
            {"num_hidden_layers": 3},
            "hybrid_override_pattern",
            PATTERN_LENGTH.format(count=56, layers=3),
        ),
        ({"moe_latent_size": 1024, "hybrid_override_pattern": "E" * 56}, None, None),
    ],
    ids=["unknown-block", "wrong-length", "latent-moe"],
)
def test_bad_nemotron_patterns_are_refused_naming_the_field(changes, field, message):
    config = fixture_config(NEMOTRON_9B) | changes
    if "moe_latent_size" in changes:
        config |= {"n_routed_experts": 8, "num_experts_per_tok": 2, "moe_intermediate_size": 64}
    with pytest.raises(ConfigError) as caught:
        parse_config(config)
    if "moe_latent_size" in changes:
        assert str(caught.value) == LATENT_MOE
        assert caught.value.field == "moe_latent_size"
        return
    assert caught.value.field == field
    if message:
        assert str(caught.value) == message


# -- every fixture ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", fixture_names())
def test_the_fixed_state_does_not_grow_with_the_context_or_the_kv_cache_with_fixed_layers(name):
    arch = parse_config(fixture_config(name))
    params = count_parameters(arch)
    states = {
        inference_memory(arch, params, context_tokens=c).fixed_state_bytes for c in (512, 65_536)
    }
    assert len(states) == 1
    caches = [
        kv_cache_bytes(arch, context_tokens=c, batch=1, kv_dtype_bytes=2)
        for c in (512, 4096, 65_536)
    ]
    assert caches == sorted(caches)
    assert arch.kv_layers <= arch.num_layers


# -- Granite 4.0-H ---------------------------------------------------------------------------


def test_granite_4_h_has_a_shared_mlp_and_experts_after_every_mixer():
    arch = parse_config(fixture_config("ibm-granite__granite-4.0-h-small"))
    assert (arch.mamba_layers, arch.kv_layers) == (36, 4)
    layers = count_parameters(arch).layers
    mamba, attention = layers[0], layers[5]
    assert mamba.ffn == attention.ffn == 3 * 4096 * 1536  # the shared MLP
    assert mamba.routed_experts == 72 * 3 * 4096 * 768
    assert mamba.ffn_small == 4096 * 72  # a router without bias
    # Mamba inner width mamba_expand × hidden = 128 heads × 64.
    assert mamba.attention == 4096 * (2 * 8192 + 2 * 128 + 128) + 8192 * 4096
    conv = (8192 + 2 * 128) * 3 * 2
    ssm = 128 * 64 * 128 * 2
    assert fixed_state_bytes(arch) == 36 * (conv + ssm)


def test_granite_4_h_refuses_a_layer_kind_it_does_not_build():
    config = fixture_config("ibm-granite__granite-4.0-h-small")
    with pytest.raises(ConfigError) as caught:
        parse_config(config | {"layer_types": ["mamba"] * 39 + ["linear"]})
    assert caught.value.field == "layer_types"
    with pytest.raises(ConfigError) as caught:
        parse_config(config | {"mamba_d_head": 32})
    assert caught.value.field == "mamba_d_head"


# -- Mistral 3 -------------------------------------------------------------------------------


def test_mistral_3_counts_pixtral_and_its_projector_apart():
    config = fixture_config("mistralai__Mistral-Small-3.1-24B-Instruct-2503")
    params = count_parameters(parse_config(config))
    assert params.total == 23_572_403_200  # Mistral Small 24B's language model, untied
    assert params.vision == 403_305_472 + 35_652_608
    biased = count_parameters(parse_config(config | {"multimodal_projector_bias": True}))
    assert biased.vision - params.vision == 2 * 5120


def test_seed_oss_biases_q_k_v_only_and_refuses_an_output_bias():
    config = fixture_config("ByteDance-Seed__Seed-OSS-36B-Instruct")
    layer = count_parameters(parse_config(config)).layers[0]
    assert layer.attention_small == 80 * 128 + 2 * 8 * 128
    with pytest.raises(ConfigError) as caught:
        parse_config(config | {"attention_out_bias": True})
    assert caught.value.field == "attention_out_bias"


# -- Qwen3.5 ---------------------------------------------------------------------------------


def test_qwen3_5_stores_its_mtp_block_and_vision_tower_and_f32_state_parameters():
    arch = parse_config(fixture_config("Qwen__Qwen3.5-122B-A10B"))
    params = count_parameters(arch)
    held = checkpoint(arch, params)
    assert held is not None
    assert held.tensors == {"BF16": 125_086_490_096, "F32": 36 * (64 + 128)}
    assert held.total == params.total + params.mtp + params.vision
    # The recurrent state in float32 as the config's mamba_ssm_dtype asks (vLLM's hook).
    assert arch.state_dtype == "float32"


def test_qwen3_5_refuses_dedicated_mtp_embeddings():
    config = fixture_config("Qwen__Qwen3.5-27B")
    config = config | {
        "text_config": config["text_config"] | {"mtp_use_dedicated_embeddings": True}
    }
    with pytest.raises(ConfigError) as caught:
        parse_config(config)
    assert caught.value.field == "mtp_use_dedicated_embeddings"
